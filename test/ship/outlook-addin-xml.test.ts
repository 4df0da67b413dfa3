/**
 * @jest-environment jsdom
 */
/**
 * The add-in-only XML manifest (manifest/outlook-addin.xml) for Outlook clients the unified
 * manifest does not reach, checked offline as far as possible without Microsoft's XSDs:
 * well-formed after filling, the elements Outlook requires, every URL filled and https, every
 * resid defined. Parsed with the DOMParser jsdom provides.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fillPlaceholders, loadEnv } from '../../scripts/lib/app-package.mjs';

const ROOT = resolve(__dirname, '../..');
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const escape = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

function parse(xml: string): Document {
  return new DOMParser().parseFromString(xml, 'application/xml');
}
const parseError = (doc: Document) => doc.getElementsByTagName('parsererror').length > 0;
const byName = (root: Document | Element, name: string) => Array.from(root.getElementsByTagNameNS('*', name));
const xsiType = (e: Element) => e.getAttributeNS(XSI, 'type');

describe('Outlook add-in-only manifest (outlook-addin.xml)', () => {
  const vars = loadEnv(ROOT, 'local');
  const xml = fillPlaceholders(readFileSync(join(ROOT, 'manifest', 'outlook-addin.xml'), 'utf8'), vars, {
    source: 'outlook-addin.xml',
    escape,
  });
  const doc = parse(xml);

  it('is well-formed XML once filled (and the parser does report malformed XML)', () => {
    expect(parseError(doc)).toBe(false);
    expect(parseError(parse('<OfficeApp><Id></OfficeApp>'))).toBe(true);
    expect(xml).not.toMatch(/\$\{\{/);
  });

  it('is a MailApp with the same id as the unified manifest, Mailbox 1.5 and ReadWriteItem', () => {
    const root = doc.documentElement;
    expect(root.localName).toBe('OfficeApp');
    expect(xsiType(root)).toBe('MailApp');
    expect(byName(doc, 'Id')[0]?.textContent).toBe(vars.TEAMS_APP_ID);
    const set = byName(doc, 'Set').find((e) => e.getAttribute('Name') === 'Mailbox');
    expect(set?.getAttribute('MinVersion')).toBe('1.5');
    expect(byName(doc, 'Permissions')[0]?.textContent).toBe('ReadWriteItem');
    for (const required of [
      'Version',
      'ProviderName',
      'DefaultLocale',
      'DisplayName',
      'Description',
      'IconUrl',
      'SupportUrl',
      'Hosts',
      'FormSettings',
    ])
      expect(byName(doc, required).length).toBeGreaterThan(0);
  });

  it('nests VersionOverrides 1.1 in 1.0, with a button on AppointmentOrganizerCommandSurface that shows the taskpane', () => {
    const outer = byName(doc, 'VersionOverrides').find((e) => xsiType(e) === 'VersionOverridesV1_0');
    const inner = outer && byName(outer, 'VersionOverrides').find((e) => xsiType(e) === 'VersionOverridesV1_1');
    expect(inner?.namespaceURI).toBe('http://schemas.microsoft.com/office/mailappversionoverrides/1.1');
    const point = byName(inner!, 'ExtensionPoint').map(xsiType);
    expect(point).toEqual(['AppointmentOrganizerCommandSurface']);
    const action = byName(inner!, 'Action')[0]!;
    expect(xsiType(action)).toBe('ShowTaskpane');
    const resid = byName(action, 'SourceLocation')[0]!.getAttribute('resid');
    const url = byName(inner!, 'Url').find((u) => u.getAttribute('id') === resid);
    expect(url?.getAttribute('DefaultValue')).toBe(vars.TASKPANE_URL);
    expect(byName(inner!, 'SupportsSharedFolders')[0]?.textContent).toBe('false');
  });

  it('declares WebApplicationInfo (the last child) for single sign-on with nested app authentication', () => {
    const inner = byName(doc, 'VersionOverrides').find((e) => xsiType(e) === 'VersionOverridesV1_1')!;
    const last = Array.from(inner.children).at(-1)!;
    expect(last.localName).toBe('WebApplicationInfo');
    expect(byName(last, 'Id')[0]?.textContent).toBe(vars.AAD_APP_CLIENT_ID);
    expect(byName(last, 'Resource')[0]?.textContent).toBe(`api://${vars.CONVENE_DOMAIN}/${vars.AAD_APP_CLIENT_ID}`);
  });

  it('defines every resid it uses, and every URL is https on Convene’s domain', () => {
    const defined = new Set(
      Array.from(doc.getElementsByTagName('*'))
        .filter((e) => e.parentElement && /Images|Urls|ShortStrings|LongStrings/.test(e.parentElement.localName))
        .map((e) => e.getAttribute('id')),
    );
    const used = Array.from(doc.querySelectorAll('[resid]')).map((e) => e.getAttribute('resid'));
    expect(used.length).toBeGreaterThan(5);
    for (const r of used) expect(defined.has(r)).toBe(true);
    const urls = Array.from(doc.querySelectorAll('[DefaultValue]'))
      .map((e) => e.getAttribute('DefaultValue')!)
      .filter((v) => /^[a-z]+:\/\//i.test(v));
    expect(urls.length).toBeGreaterThan(5);
    for (const u of urls) expect(u).toMatch(/^https:\/\//);
    for (const u of urls.filter((x) => !x.startsWith(vars.PUBLISHER_WEBSITE_URL!))) expect(new URL(u).host).toBe(vars.CONVENE_DOMAIN);
  });
});
