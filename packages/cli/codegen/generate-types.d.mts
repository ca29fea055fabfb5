/** Where the generated job types are written. */
export const outPath: string;
/** The TypeScript of `schema` (default: the committed schema file), as json-schema-to-typescript writes it. */
export function generate(schema?: Record<string, unknown>): Promise<string>;
