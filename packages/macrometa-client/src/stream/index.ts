/** GDN stream client (Pulsar WebSocket protocol over ws). STUB: being implemented. @packageDocumentation */
export {};
