/** A JSON object (not null, not an array): what the event and the config file must be at the top. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
