// A small well-formedness check for SVG output (no XML parser in the dependencies): balanced tags,
// quoted attributes, one root <svg> element, nothing but whitespace outside it.
export function xmlProblem(text: string): string | undefined {
  const s = text.trim()
  if (!s.startsWith('<svg')) return 'does not start with <svg'
  const stack: string[] = []
  const tag =
    /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>/g
  let at = 0
  let roots = 0
  for (let m = tag.exec(s); m; m = tag.exec(s)) {
    const between = s.slice(at, m.index)
    if (between.includes('<'))
      return `malformed markup near: ${between.slice(between.indexOf('<'), between.indexOf('<') + 40)}`
    if (stack.length === 0 && between.trim() !== '') return 'text outside the root element'
    at = m.index + m[0].length
    if (m[2] === undefined) continue // comment or CDATA
    if (m[1] === '/') {
      if (stack.pop() !== m[2]) return `unbalanced </${m[2]}>`
    } else if (m[4] !== '/') {
      if (stack.length === 0) roots++
      stack.push(m[2])
    } else if (stack.length === 0) roots++
  }
  if (s.slice(at).trim() !== '') return 'trailing content'
  if (stack.length > 0) return `unclosed <${stack[stack.length - 1]}>`
  if (roots !== 1) return `${roots} root elements`
  return undefined
}
