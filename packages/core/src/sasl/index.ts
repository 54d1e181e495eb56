export {
  AUTH_METHODS,
  type AuthMethod,
  credentialsKindOf,
  SASL_MECHANISMS,
  type SaslMechanism,
} from "./auth-methods.ts";
export { type ChooseMechanismOptions, chooseMechanism } from "./choose-mechanism.ts";
export { type CreateSaslClientOptions, createSaslClient } from "./create-sasl-client.ts";
export type { SaslClient } from "./sasl-client.ts";
