/**
 * Secrets never reach the terminal: every line the CLI prints goes through `redact`, which blanks
 * the credentials of URLs (`https://user:pass@host` → `https://***@host`) and every secret the
 * connection was given (password, API key, and their encoded forms), wherever a message repeats them.
 */
const secrets = new Set<string>();

/** Registers a secret (and the forms it travels in) to be blanked in all output. */
export function addSecret(secret: string | undefined): void {
  if (!secret || secret.length < 3) return;
  secrets.add(secret);
  secrets.add(encodeURIComponent(secret));
}

export function addBasicAuth(username: string, password: string): void {
  addSecret(password);
  addSecret(Buffer.from(`${username}:${password}`).toString('base64'));
}

export function clearSecrets(): void {
  secrets.clear();
}

const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi;

export function redact(text: string): string {
  let out = text.replace(USERINFO, '$1***@');
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join('***');
  return out;
}
