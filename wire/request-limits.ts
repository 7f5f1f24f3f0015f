// How large a request head may be, shared by the edge (which refuses anything larger, with a clean problem) and
// the Node servers behind it (which must accept whatever the edge lets through, plus what the edge adds).

/** The edge answers 431 to request header fields larger than this in total (names, values, ": " and CRLF). */
export const EDGE_MAX_HEADER_BYTES = 16 * 1024
/** The edge answers 414 to a request target (path and query) longer than this; Cloudflare's own URL bound. */
export const EDGE_MAX_TARGET_BYTES = 16 * 1024
/**
 * Room for what the edge and the ingress add to a request on its way in: the signed identity headers, the
 * signature and nonce, X-Forwarded-*, a traceparent. About 1 KiB today; four times that leaves space to grow.
 */
export const ADDED_HEADER_ALLOWANCE_BYTES = 4 * 1024
/**
 * `maxHeaderSize` of every Node server behind the edge (the cluster-api, the local ingress, the runtime). Node
 * counts the request line and every header against it (its default is 16 KiB, which a request the edge lets
 * through can exceed, and a 431 from behind the edge reaches the client as a broken chunked body).
 */
export const ORIGIN_MAX_HEADER_BYTES = 64 * 1024
