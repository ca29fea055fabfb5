/** @packageDocumentation Macrometa GDN HTTP (undici) and stream (Pulsar WebSocket) client. */
export {};
