import type { CheckRecord } from '../../src/features/checks/checks.presenter';
import { photoCards } from '../../src/web/check-view';
import { escapeHtml, html, raw } from '../../src/web/html';

describe('html templates', () => {
  test.each([
    ['text', html`<p>${'<script>"x" & \'y\''}</p>`.value, '<p>&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;</p>'],
    ['nested html', html`<div>${html`<b>${'<i>'}</b>`}</div>`.value, '<div><b>&lt;i&gt;</b></div>'],
    ['arrays', html`<ul>${['a<', 'b'].map((x) => html`<li>${x}</li>`)}</ul>`.value, '<ul><li>a&lt;</li><li>b</li></ul>'],
    ['raw', html`${raw('<br>')}`.value, '<br>'],
    ['nothing', html`${null}${undefined}${false}${0}`.value, '0'],
  ])('when interpolating %s, then only SafeHtml passes unescaped', (_name, got, want) => {
    expect(got).toBe(want);
  });

  test('when escaping a plain value, then all five special characters are replaced', () => {
    expect(escapeHtml(`<>&"'`)).toBe('&lt;&gt;&amp;&quot;&#39;');
  });
});

describe('photo result cards', () => {
  const box = (x: number) => ({ x, y: 10, width: 40, height: 50 });
  const record: CheckRecord = {
    id: 'abcdefghijklmnopqrstuvwxyz', ownerId: 1, eventId: null, mode: 'standard',
    createdAt: '2026-03-02T09:00:00Z', expiresAt: '2026-03-02T10:00:00Z',
    photos: [
      {
        index: 0, ok: true, fileName: 'sharesafe-abcdefgh-1.jpg', width: 800, height: 600, alreadySafe: false, crowded: true,
        faces: [
          { box: box(10), score: 0.99, verdict: 'own_child', blurred: false, pupil: { id: 1, firstName: '<Amy>' } },
          { box: box(100), score: 0.98, verdict: 'consented', blurred: false },
          { box: box(200), score: 0.97, verdict: 'no_consent', blurred: true },
        ],
        blurredRegions: [box(200)], counts: { own_child: 1, consented: 1, no_consent: 1, unknown: 0 },
      },
      { index: 1, ok: false, error: { code: 'unsupported_media_type', message: 'That is not a photo.' } },
    ],
  };

  test('when a photo is crowded, then the card outlines each face by kind, escapes names and suggests "only my child"', () => {
    const out = photoCards(record).value;
    expect(out).toContain('viewBox="0 0 800 600"');
    expect(out.match(/<rect class="face-own"/g)).toHaveLength(1);
    expect(out.match(/<rect class="face-visible"/g)).toHaveLength(1);
    expect(out.match(/<rect class="face-blurred"/g)).toHaveLength(1);
    expect(out).toContain('Your child &lt;Amy&gt;');
    expect(out).not.toContain('<Amy>');
    expect(out).toContain('href="/check?mode=only_my_child"');
    expect(out).toContain('href="/api/checks/abcdefghijklmnopqrstuvwxyz/photos/0?download"');
    expect(out).toContain('That is not a photo.');
    expect(out).not.toMatch(/style=/);
    expect(out).not.toMatch(/consent|no_consent|unknown/i);
  });

  test('when the check already used "only my child", then it is not suggested again', () => {
    expect(photoCards({ ...record, mode: 'only_my_child' }).value).not.toContain('only_my_child');
  });
});
