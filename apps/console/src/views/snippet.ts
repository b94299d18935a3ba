/** The widget's snippet, as each kind of site takes it (the comment says where, in the reader's language). */
import type { Lang } from '@beckon/protocol';

const WHERE: Record<Lang, Record<string, string>> = {
  en: { wordpress: 'in footer.php before </body>, or in WPCode → Footer', shopify: 'layout/theme.liquid, before </body>', tilda: 'Site Settings → More → HTML code for the HEAD section', spa: 'once, in index.html or the root layout' },
  ru: { wordpress: 'в footer.php перед </body> или в WPCode → Footer', shopify: 'layout/theme.liquid, перед </body>', tilda: 'Настройки сайта → Ещё → HTML-код для вставки внутрь HEAD', spa: 'один раз, в index.html или корневой layout' },
};

export function snippetFor(siteKey: string, platform: 'html' | 'wordpress' | 'shopify' | 'tilda' | 'spa', lang: Lang = 'en'): string {
  const tags = `<script>window.Beckon=window.Beckon||function(){(Beckon.q=Beckon.q||[]).push(arguments)};</script>\n<script async src="${location.origin}/widget/beckon.js" data-site="${siteKey}"></script>`;
  const where = WHERE[lang][platform];
  return where ? `<!-- Beckon live chat: ${where} -->\n${tags}` : tags;
}
