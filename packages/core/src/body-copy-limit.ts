/**
 * The size from which {@link Session.bodyChunk} stops copying: a body chunk of this many bytes
 * or more may go out of `pollTransmit()` as the caller's own memory (no copy), one shorter is
 * always copied. 64 KiB: small enough that a large attachment is never copied, large enough
 * that a driver can keep small copied chunks pending and coalesce them into one write, and no
 * smaller than Node's default socket high-water mark (16 KiB on Node 20, 64 KiB from 22), so a
 * `NodeTransport.write()` of such a chunk resolves only once the socket has flushed it.
 *
 * @since 0.1.0
 */
export const BODY_COPY_LIMIT = 64 * 1024;
