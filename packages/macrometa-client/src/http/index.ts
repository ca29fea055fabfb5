/** GDN HTTP client (undici). STUB: being implemented. @packageDocumentation */
export {};
