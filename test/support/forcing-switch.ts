/**
 * Reads a switch that forces the fallback a bare machine would get (so CI can prove that path while
 * the machine has the real thing): unset or `auto` picks what the machine has.
 */
export function isForced(name: string, value: string): boolean {
  const raw = process.env[name] ?? '';
  if (raw === '' || raw === 'auto') return false;
  if (raw === value) return true;
  throw new Error(`${name}=${raw}: expected "${value}" or "auto"`);
}
