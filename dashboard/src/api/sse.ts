// The dashboard reads chat replies with the shared SSE parser (EventSource cannot send an Authorization header or a POST).
export { createSseParser, type SseEvent } from '../../../wire/sse.ts'
