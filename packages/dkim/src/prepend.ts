/**
 * The signed message: the DKIM-Signature field(s) `fields` (as {@link DkimSigner.sign}
 * returned them), then the message's bytes, passed through as they come.
 *
 * @since 0.1.0
 */
export async function* prependFields(
  fields: string,
  message: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): AsyncGenerator<Uint8Array, void, undefined> {
  yield fieldBytes(fields);
  yield* message;
}

/**
 * The octets of header fields as {@link DkimSigner.sign} returns them (ASCII).
 *
 * @since 0.1.0
 */
export function fieldBytes(fields: string): Uint8Array {
  return new TextEncoder().encode(fields);
}
