#!/usr/bin/python3
"""Drive headless Chromium over the DevTools protocol against a local Moodle:
log in as admin, open every imported course page and every mod/page view,
record JavaScript dialogs (alert/confirm/prompt) and console errors, save a
full-page PNG and the live DOM, and check what the page content shows.

usage: browse.py WWWROOT ADMINPASS OUTDIR IMPORT_JSON...
needs: /usr/bin/python3 with python3-websocket (Debian), chromium.
"""
import base64, json, os, re, shutil, socket, subprocess, sys, tempfile, time, urllib.request
import websocket

WWW, PASS, OUT = sys.argv[1].rstrip('/'), sys.argv[2], sys.argv[3]
IMPORTS = [json.load(open(p)) for p in sys.argv[4:]]
WJ = '\u2060'  # WORD JOINER the exporter may put after '<' / '&' to defuse markup

# Texts a pupil typed that should be visible literally (checked in page content).
EXPECT = [l for l in os.environ.get('LMS_CHECK_EXPECT', '').split('\n') if l] or [
    '<script>alert("moodle")</script>', '<img src=x onerror=alert(1)>', '5 < 6 & 7 > 2',
    '"lainaus"', '&lt;b&gt;', '<b>lihava</b>', 'Koirat <3', '❄️🧊', '<i>vino</i> palaute',
]


def free_port():
    s = socket.socket(); s.bind(('127.0.0.1', 0)); p = s.getsockname()[1]; s.close(); return p


class CDP:
    def __init__(self, ws_url):
        self.ws = websocket.create_connection(ws_url, timeout=60, suppress_origin=True)
        self.n = 0
        self.dialogs, self.console, self.events = [], [], []

    def _event(self, m):
        meth = m.get('method')
        if meth == 'Page.javascriptDialogOpening':
            self.dialogs.append({'type': m['params'].get('type'), 'message': m['params'].get('message')})
            self.send_nowait('Page.handleJavaScriptDialog', {'accept': True})
        elif meth == 'Runtime.exceptionThrown':
            d = m['params']['exceptionDetails']
            self.console.append('exception: ' + (d.get('exception', {}).get('description') or d.get('text', '')))
        elif meth == 'Runtime.consoleAPICalled' and m['params'].get('type') == 'error':
            self.console.append(m['params']['type'] + ': ' + ' '.join(
                str(a.get('value', a.get('description', ''))) for a in m['params'].get('args', [])))
        self.events.append(meth)

    def send_nowait(self, method, params=None):
        self.n += 1
        self.ws.send(json.dumps({'id': self.n, 'method': method, 'params': params or {}}))
        return self.n

    def call(self, method, params=None):
        i = self.send_nowait(method, params)
        while True:
            m = json.loads(self.ws.recv())
            if m.get('id') == i:
                if 'error' in m:
                    raise RuntimeError(f'{method}: {m["error"]}')
                return m.get('result', {})
            if 'method' in m:
                self._event(m)

    def wait_event(self, name, timeout=60):
        end = time.time() + timeout
        self.events = []
        while time.time() < end:
            self.ws.settimeout(max(0.1, end - time.time()))
            try:
                m = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                break
            finally:
                self.ws.settimeout(60)
            if 'method' in m:
                self._event(m)
                if m['method'] == name:
                    return True
        return False

    def pump(self, seconds):
        self.wait_event('__never__', seconds)

    def js(self, expr):
        r = self.call('Runtime.evaluate', {'expression': expr, 'returnByValue': True, 'awaitPromise': True})
        if 'exceptionDetails' in r:
            raise RuntimeError('JS: ' + json.dumps(r['exceptionDetails'])[:500])
        return r['result'].get('value')

    def goto(self, url):
        self.call('Page.navigate', {'url': url})
        self.wait_event('Page.loadEventFired', 60)
        self.pump(1.0)


ANALYSE = r"""
(() => {
  const WJ = '\u2060';
  const main = document.querySelector('#region-main') || document.body;
  // content area of a mod/page view; on course pages the whole main region
  const content = main.querySelector('.generalbox, .box.py-3') || main;
  // user-supplied HTML areas: the page body (.generalbox) and section summaries
  const areas = [...main.querySelectorAll('.generalbox, .summarytext, .course-description, .no-overflow')];
  const inareas = sel => [...new Set(areas.flatMap(a => [...a.querySelectorAll(sel)]))];
  const scripts = inareas('script').map(s => (s.src || s.textContent).slice(0, 120));
  const onattrs = [];
  for (const el of inareas('*'))
    for (const a of el.attributes)
      if (/^on/i.test(a.name)) onattrs.push(el.tagName.toLowerCase() + '[' + a.name + '=' + a.value.slice(0, 60) + ']');
  const imgs = [...content.querySelectorAll('img')].filter(i => !i.closest('.activityiconcontainer, .courseicon, .icon'))
    .map(i => ({src: i.getAttribute('src'), alt: i.alt, complete: i.complete, naturalWidth: i.naturalWidth}));
  const sections = [...document.querySelectorAll('li.section[data-sectionid], li.section[data-number], [data-for="section"]')]
    .filter((s, i, a) => a.indexOf(s) === i && s.matches('li'))
    .map(s => ({
      number: s.getAttribute('data-number') ?? s.getAttribute('data-sectionreturnnum') ?? s.id,
      name: (s.querySelector('h3.sectionname, .sectionname')?.innerText || '').trim(),
      summary: (s.querySelector('.summarytext, .summary')?.innerText || '').trim(),
      activities: [...s.querySelectorAll('[data-for="cmitem"] .instancename, .activityname .instancename')]
        .map(a => a.childNodes[0]?.textContent.trim()),
    }));
  return {
    url: location.href, title: document.title,
    heading: (document.querySelector('.page-header-headings h1, #page-header h1, h1')?.innerText || '').trim(),
    loggedin: !document.body.classList.contains('notloggedin'),
    text: content.innerText, html: content.innerHTML,
    scripts, onattrs, imgs, sections,
    height: Math.max(document.body.scrollHeight, document.documentElement.scrollHeight),
  };
})()
"""


def slug(s):
    return re.sub(r'[^A-Za-z0-9]+', '-', s).strip('-')[:40] or 'x'


def main():
    os.makedirs(OUT, exist_ok=True)
    chrome = shutil.which('chromium') or shutil.which('chromium-browser') or shutil.which('google-chrome')
    port = free_port()
    prof = tempfile.mkdtemp(prefix='lms-check-chrome-')
    proc = subprocess.Popen([chrome, '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
                             f'--remote-debugging-port={port}', f'--user-data-dir={prof}', '--window-size=1280,900',
                             '--no-first-run', '--lang=fi', 'about:blank'],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                targets = json.load(urllib.request.urlopen(f'http://127.0.0.1:{port}/json'))
                pages = [t for t in targets if t['type'] == 'page']
                if pages:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        c = CDP(pages[0]['webSocketDebuggerUrl'])
        for d in ('Page', 'Runtime'):
            c.call(d + '.enable')
        # login
        c.goto(WWW + '/login/index.php')
        c.js(f"""document.getElementById('username').value='admin';
                 document.getElementById('password').value={json.dumps(PASS)};
                 document.getElementById('loginbtn').click(); true""")
        c.wait_event('Page.loadEventFired', 60)
        c.pump(1)
        if not c.js("!document.body.classList.contains('notloggedin')"):
            print('LOGIN FAILED at', c.js('location.href'))
            sys.exit(1)
        print(f'logged in as admin (chromium on port {port})')

        work = []
        for imp in IMPORTS:
            cid = imp['courseid']
            work.append((f"course-{cid}-{slug(imp['shortname'])}", f"{WWW}/course/view.php?id={cid}", imp, None))
            for m in imp['modules']:
                if m['modname'] == 'page':
                    work.append((f"course-{cid}-page-{m['cmid']}-{slug(m['name'])}",
                                 f"{WWW}/mod/page/view.php?id={m['cmid']}", imp, m))
        report = []
        for name, url, imp, mod in work:
            c.dialogs, c.console = [], []
            c.call('Emulation.setDeviceMetricsOverride', {'width': 1280, 'height': 900, 'deviceScaleFactor': 1, 'mobile': False})
            c.goto(url)
            h = min(int(c.js('Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)') or 900), 12000)
            c.call('Emulation.setDeviceMetricsOverride', {'width': 1280, 'height': h, 'deviceScaleFactor': 1, 'mobile': False})
            c.js('window.scrollTo(0, document.body.scrollHeight); true')
            c.pump(1.5)  # lazy images, late scripts
            c.js('window.scrollTo(0, 0); true')
            a = c.js(ANALYSE)
            png = os.path.join(OUT, name + '.png')
            shot = c.call('Page.captureScreenshot', {'format': 'png', 'captureBeyondViewport': False})
            open(png, 'wb').write(base64.b64decode(shot['data']))
            dom = c.js('document.documentElement.outerHTML')
            open(os.path.join(OUT, name + '.dom.html'), 'w').write(dom)
            text = a['text']
            plain = text.replace(WJ, '')
            found = {}
            for e in EXPECT:
                found[e] = 'exact' if e in text else ('with U+2060 inside' if e in plain else 'no')
            r = {'name': name, 'url': url, 'png': png, 'heading': a['heading'], 'title': a['title'],
                 'loggedin': a['loggedin'], 'dialogs': c.dialogs, 'console': c.console[:10],
                 'scripts_in_main': a['scripts'], 'on_attrs_in_main': a['onattrs'], 'imgs': a['imgs'],
                 'sections': a['sections'], 'texts': found,
                 'wj_count': text.count(WJ)}
            report.append(r)
            print_page(r, mod)
        json.dump(report, open(os.path.join(OUT, 'report.json'), 'w'), indent=1, ensure_ascii=False)
        print('\nreport: ' + os.path.join(OUT, 'report.json'))
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(prof, ignore_errors=True)


def print_page(r, mod):
    print(f"\n=== {r['name']}\n    {r['url']}\n    png: {r['png']}")
    print(f"    heading: {r['heading']!r}  title: {r['title']!r}  loggedin: {r['loggedin']}")
    print(f"    dialogs fired (alert etc): {len(r['dialogs'])} {r['dialogs'] if r['dialogs'] else ''}")
    print(f"    <script> in page/summary content: {len(r['scripts_in_main'])}  on*= attrs there: {r['on_attrs_in_main'] or 0}")
    if r['console']:
        print(f"    console errors: {r['console'][:3]}")
    if r['imgs']:
        ok = sum(1 for i in r['imgs'] if i['naturalWidth'] > 0)
        print(f"    images in content: {ok}/{len(r['imgs'])} loaded")
        for i in r['imgs']:
            if i['naturalWidth'] == 0:
                print(f"      NOT LOADED: {i['src']}")
    hits = {t: v for t, v in r['texts'].items() if v != 'no'}
    if hits:
        print(f"    word joiners (U+2060) in visible text: {r['wj_count']}")
        for t, v in hits.items():
            print(f"    text {t!r}: visible, {v}")
        miss = [t for t, v in r['texts'].items() if v == 'no']
        if miss:
            print(f"    not on this page: {miss}")
    if r['sections']:
        print('    sections:')
        for s in r['sections']:
            print(f"      [{s['number']}] name={s['name']!r} summary={s['summary']!r} activities={s['activities']}")


if __name__ == '__main__':
    main()
