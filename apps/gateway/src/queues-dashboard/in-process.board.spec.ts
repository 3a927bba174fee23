import { renderView } from './in-process.board';

describe('renderView', () => {
  it('escapes <%= %> values and keeps <%- %> ones as given', () => {
    const html = renderView('<title><%= title %></title><base href="<%= basePath %>"><script><%- config %></script>', {
      title: '<b>"x" & \'y\'</b>',
      basePath: '/v1/admin/queues/',
      config: '{"a":"\\u003c"}',
    });
    expect(html).toBe('<title>&lt;b&gt;&#34;x&#34; &amp; &#39;y&#39;&lt;/b&gt;</title><base href="/v1/admin/queues/"><script>{"a":"\\u003c"}</script>');
  });

  it('renders a missing value as empty and refuses constructs it does not know', () => {
    expect(renderView('<%= nothing %>', {})).toBe('');
    expect(() => renderView('<% if (x) { %>', {})).toThrow(/not support/);
  });
});
