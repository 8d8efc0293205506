/** What the LLM tiers log through. Fields are structured data; the API key is never among them. */
export interface LlmTierLogger {
  warn(fields: Record<string, unknown>, message: string): void;
  debug?(fields: Record<string, unknown>, message: string): void;
}
