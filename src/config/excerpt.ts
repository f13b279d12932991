// What an error line may quote of a user's input: a short excerpt with control characters and other
// non-printing code points escaped, so a message never echoes raw bytes or a whole file to a terminal.

/** At most `max` characters of `text` (then `…`), with control and non-printing characters escaped. */
export function excerpt(text: string, max = 40): string {
  const cut = text.length > max ? text.slice(0, max) : text
  // \p{C}: control, format, unassigned, private use and surrogates; escapes keep them visible but inert
  const escaped = cut.replace(/[\p{C}\\]/gu, (ch) => {
    if (ch === '\\') return '\\\\'
    if (ch === '\n') return '\\n'
    if (ch === '\r') return '\\r'
    if (ch === '\t') return '\\t'
    const code = ch.codePointAt(0) ?? 0
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`
  })
  return text.length > max ? `${escaped}…` : escaped
}
