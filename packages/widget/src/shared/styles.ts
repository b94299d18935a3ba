/** Styles into a shadow root: a constructed sheet where supported, a <style> otherwise. */
export function addStyles(shadow: ShadowRoot, css: string): void {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    // assign a new array: pushing onto adoptedStyleSheets is not supported everywhere
    shadow.adoptedStyleSheets = [...shadow.adoptedStyleSheets, sheet];
  } catch {
    const style = document.createElement('style');
    style.textContent = css;
    shadow.appendChild(style);
  }
}
