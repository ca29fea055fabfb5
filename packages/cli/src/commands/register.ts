/** Registers the verbs that need the whole runtime (providers, local peers). */
export {};
