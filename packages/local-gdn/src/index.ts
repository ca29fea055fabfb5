/** @packageDocumentation A Macrometa-compatible GDN server (HTTP + stream WebSockets) for offline use and tests. */
export {};
