/**
 * A JSON Schema document (draft 07), as a plain object: give it to any validator (ajv…).
 *
 * @since 0.1.0
 */
export type JsonSchema = { readonly [keyword: string]: unknown };
