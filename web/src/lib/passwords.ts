/** The API's rules for a new password (signup's too): 8 characters at least, 72 bytes (UTF-8) at most. */
export function checkNewPassword(password: string): string | null {
  if (password.trim().length < 8) return "Use at least 8 characters.";
  if (new TextEncoder().encode(password).length > 72) return "That is too long: use at most 72 bytes (fewer accented letters or emoji).";
  return null;
}
