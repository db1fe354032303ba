"""Page views of ticketwiki against MediaWiki 1.39 on the same machine, in the same run.

Installs (from Debian, when missing) MediaWiki 1.39, php-fpm, nginx and the PHP extensions
MediaWiki needs; installs a throw-away MediaWiki on SQLite in a temporary folder, served by
nginx + php-fpm on a free loopback port (opcache on, APCu object cache, parser cache in APCu
or in the database); imports the same N pages as ``bench/engine.py`` (the same random content,
templates and categories, written in wikitext) from an XML dump; then measures page views over
HTTP exactly as ``bench/engine.py`` does (same view function, same clients, same page sequence,
cold then warm), runs ticketwiki's own benchmark, and prints both side by side.  Writes
``bench/results/mediawiki.json``.  Not a test: run it by hand, as root (it uses apt-get), e.g.

    python bench/mediawiki.py                  # 10,000 pages, 8 clients x 250 requests a pass
    python bench/mediawiki.py --pages 500      # a quick run
    python bench/mediawiki.py --parser-cache db   # MediaWiki's parser cache in SQLite
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from xml.sax.saxutils import escape

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import engine  # noqa: E402
from bench.common import ServedInstance, free_port, summary_ms, write_results  # noqa: E402

MW = Path("/usr/share/mediawiki")
CONFIG = Path(__file__).resolve().parent / "mediawiki"
PACKAGES = ["mediawiki", "php-fpm", "php-sqlite3", "php-intl", "php-mbstring", "php-xml", "php-apcu", "nginx"]
PHP_MODULES = ["sqlite3", "pdo_sqlite", "intl", "mbstring", "xml", "apcu"]
# php.ini overrides for php-fpm: production opcache (no timestamp checks, room for all of
# MediaWiki's files) and an APCu segment large enough to hold every page's parser output.
FPM_INI = {
    "opcache.enable": "1",
    "opcache.memory_consumption": "256",
    "opcache.interned_strings_buffer": "16",
    "opcache.max_accelerated_files": "30000",
    "opcache.validate_timestamps": "0",
    "apc.enabled": "1",
    "apc.shm_size": "1024M",
    "realpath_cache_size": "4096K",
    "display_errors": "0",
}

# The same two templates as bench/engine.py's TEMPLATES, in wikitext.  The infobox is a
# table with status/priority/owner parameters and puts the page in a category named after a
# parameter; the nav template uses #if (ParserFunctions).
WIKITEXT_TEMPLATES = {
    "Template:Infobox ticket": '{| class="wikitable"\n! Field !! Value\n|-\n| Status || {{{status|New}}}\n'
                               "|-\n| Priority || {{{priority|P3}}}\n|-\n| Owner || [[User:{{{owner|Nobody}}}]]\n"
                               "|}\n[[Category:{{{status|New}}} tickets]]",
    "Template:Nav": "[[Main Page]] · [[Help:Contents]] · {{#if:{{{topic|}}}|[[{{{topic}}}]]|no topic}}",
}


def wikitext(rng: random.Random, n: int) -> str:
    """Page ``n`` in wikitext: the same content as ``engine.page_text`` for the same draws."""
    f = engine.page_fields(rng, n)
    parts = [f"{{{{Infobox ticket|status={f['status']}|priority={f['priority']}|owner={f['owner']}}}}}",
             f"{{{{Nav|topic={f['topic']}}}}}"]
    for section, (words, link) in enumerate(f["sections"]):
        parts.append(f"\n== Section {section} ==\n")
        parts.append(words + f" See [[{link}]].")
    parts.append(f"\n[[Category:{f['area']}]] [[Category:Benchmark|{f['sort_key']}]]")
    return "\n".join(parts)


def cpu_seconds(pid: int, group: bool = False) -> float:
    """User + system CPU time (all threads) of process ``pid``, or with ``group`` of every live
    process in the process group led by ``pid`` (a server and its workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat") if group else [Path(f"/proc/{pid}/stat")]:
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # fields after "pid (comm)": state ppid pgrp ... utime (index 11) stime (index 12)
        if not group or int(fields[2]) == pid:
            total += int(fields[11]) + int(fields[12])
    return total / tick


def log(message: str) -> None:
    print(message, flush=True)


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def ensure_packages() -> None:
    """apt-get install whatever of PACKAGES is missing (needs root)."""
    def missing() -> list[str]:
        gone = []
        if not (MW / "index.php").exists():
            gone.append("mediawiki")
        if not shutil.which("php-fpm8.2") and not list(Path("/usr/sbin").glob("php-fpm*")):
            gone.append("php-fpm")
        if not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists():
            gone.append("nginx")
        modules = subprocess.run(["php", "-m"], capture_output=True, text=True).stdout.lower() if shutil.which("php") else ""
        for module, package in [("sqlite3", "php-sqlite3"), ("intl", "php-intl"), ("mbstring", "php-mbstring"),
                                ("xml", "php-xml"), ("apcu", "php-apcu")]:
            if module not in modules.split():
                gone.append(package)
        return gone

    needed = missing()
    if not needed:
        return
    log(f"installing from Debian: {' '.join(needed)}")
    apt = ["apt-get"] if os.geteuid() == 0 else ["sudo", "apt-get"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run(apt + ["update", "-qq"], env=env)
    run(apt + ["install", "-y", "-q", "--no-install-recommends"] + PACKAGES, env=env)
    if missing():
        raise RuntimeError(f"still missing after apt-get install: {missing()}")


def fpm_binary() -> str:
    return shutil.which("php-fpm8.2") or str(sorted(Path("/usr/sbin").glob("php-fpm*"))[-1])


def versions() -> dict:
    def out(cmd: list[str]) -> str:
        r = subprocess.run(cmd, capture_output=True, text=True)
        return (r.stdout + r.stderr).strip()

    dpkg = lambda pkg: out(["dpkg-query", "-W", "-f=${Version}", pkg])  # noqa: E731
    import waitress  # noqa: PLC0415
    return {
        "mediawiki": dpkg("mediawiki"),
        "php": out(["php", "-r", "echo PHP_VERSION;"]),
        "php_fpm": dpkg(Path(fpm_binary()).name.replace("php-fpm", "php") + "-fpm"),
        "php_apcu": dpkg("php-apcu"),
        "nginx": out(["nginx", "-v"]).split("/")[-1],
        "sqlite_php": out(["php", "-r", "echo SQLite3::version()['versionString'];"]),
        "python": platform.python_version(),
        "sqlite_python": sqlite3.sqlite_version,
        "waitress": waitress.__version__ if hasattr(waitress, "__version__") else _dist_version("waitress"),
        "ticketwiki": _dist_version("ticketwiki"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
    }


def _dist_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415
    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


def fill(template: str, **values: str) -> str:
    text = (CONFIG / template).read_text()
    for key, value in values.items():
        text = text.replace(f"@{key}@", str(value))
    leftover = re.findall(r"@[A-Z_]+@", text)
    if leftover:
        raise ValueError(f"{template}: unfilled {leftover}")
    return text


def write_dump(path: Path, pages: int, rng: random.Random) -> int:
    """An XML export (format 0.11) of the two templates and ``pages`` pages; returns the bytes of page text."""
    total = 0
    stamp = "2026-01-01T00:00:00Z"

    def page(handle, title: str, ns: int, text: str) -> None:
        handle.write(f"<page><title>{escape(title)}</title><ns>{ns}</ns><revision><timestamp>{stamp}</timestamp>"
                     "<contributor><username>Bench</username><id>0</id></contributor><comment>benchmark</comment>"
                     "<model>wikitext</model><format>text/x-wiki</format>"
                     f'<text xml:space="preserve" bytes="{len(text.encode())}">{escape(text)}</text>'
                     "</revision></page>\n")

    with path.open("w", encoding="utf-8") as handle:
        handle.write('<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11" xml:lang="en">\n')
        for title, text in WIKITEXT_TEMPLATES.items():
            page(handle, title, 10, text)
        for n in range(pages):
            text = wikitext(rng, n)
            total += len(text.encode())
            page(handle, f"Page {n}", 0, text)
        handle.write("</mediawiki>\n")
    return total


class MediaWikiSite:
    """A throw-away MediaWiki on SQLite, served by nginx + php-fpm on a loopback port."""

    def __init__(self, tmp: Path, children: int, parser_cache: str):
        self.tmp = tmp
        self.port = free_port()
        self.children = children
        self.parser_cache = parser_cache
        self.procs: list[subprocess.Popen] = []
        self.conf = tmp / "LocalSettings.php"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def php(self, script: str, *args: str, timeout: float | None = None) -> subprocess.CompletedProcess:
        """A maintenance script, as www-data (the owner of the database files), against our LocalSettings."""
        env = {**os.environ, "MW_CONFIG_FILE": str(self.conf)}
        cmd = ["php", "-d", "memory_limit=1G", str(MW / "maintenance" / script), *args]
        if os.geteuid() == 0:
            cmd = ["setpriv", "--reuid=www-data", "--regid=www-data", "--init-groups", *cmd]
        return run(cmd, env=env, cwd=self.tmp, timeout=timeout)

    def install(self) -> None:
        data = self.tmp / "data"
        for sub in ("data", "cache", "nginx-body", "nginx-fastcgi", "nginx-proxy"):
            (self.tmp / sub).mkdir(parents=True, exist_ok=True)
        password = "Bench-" + os.urandom(12).hex()
        run(["php", str(MW / "maintenance" / "install.php"), "--dbtype=sqlite", f"--dbpath={data}",
             "--dbname=wikidb", f"--server={self.url}", "--scriptpath=", "--lang=en", f"--pass={password}",
             f"--confpath={self.tmp}", "--skins=Vector", "Benchmark Wiki", "Admin"], cwd=self.tmp)
        extra = fill("LocalSettings.append.php.in", TMP=self.tmp,
                     PARSER_CACHE="CACHE_ACCEL" if self.parser_cache == "accel" else "CACHE_DB",
                     PARSER_CACHE_NAME="in APCu (CACHE_ACCEL)" if self.parser_cache == "accel"
                     else "in the database (CACHE_DB, SQLite objectcache table)")
        with self.conf.open("a") as handle:
            handle.write(extra)
        (self.tmp / "nginx.conf").write_text(fill("nginx.conf.in", TMP=self.tmp, PORT=self.port, MW=MW))
        (self.tmp / "php-fpm.conf").write_text(fill("php-fpm.conf.in", TMP=self.tmp, CHILDREN=self.children))
        self.chown()
        self.php("rebuildLocalisationCache.php", "--lang=en", "--force")

    def chown(self) -> None:
        if os.geteuid() == 0:
            run(["chown", "-R", "www-data:www-data", str(self.tmp)])
            os.chmod(self.tmp, 0o755)

    def import_pages(self, pages: int, rng: random.Random, link_tables: bool) -> dict:
        dump = self.tmp / "pages.xml"
        total_bytes = write_dump(dump, pages, rng)
        self.chown()
        started = time.perf_counter()
        self.php("importDump.php", "--quiet", *([] if link_tables else ["--no-updates"]), str(dump))
        imported = time.perf_counter() - started
        self.php("initSiteStats.php", "--update")
        self.php("runJobs.php", "--quiet")
        after = time.perf_counter() - started
        how = "link tables updated during the import" if link_tables else \
            "--no-updates: link tables left empty; a page view does not read them"
        log(f"MediaWiki: imported {pages} pages (~{round(total_bytes / pages)} B) with importDump.php in "
            f"{imported:.1f} s ({how}); site stats + jobs: {after - imported:.1f} s")
        return {"average_page_bytes": round(total_bytes / pages), "import_seconds": round(imported, 2),
                "import_pages_per_s": round(pages / imported, 1), "link_tables": link_tables,
                "post_import_seconds": round(after - imported, 2)}

    def start(self) -> "MediaWikiSite":
        ini = [arg for key, value in FPM_INI.items() for arg in ("-d", f"{key}={value}")]
        self.procs.append(subprocess.Popen(
            [fpm_binary(), "--nodaemonize", "-y", str(self.tmp / "php-fpm.conf"), *ini],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        self.procs.append(subprocess.Popen(
            ["nginx", "-p", str(self.tmp), "-e", str(self.tmp / "nginx-error.log"), "-c", str(self.tmp / "nginx.conf")],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for proc in self.procs:
                if proc.poll() is not None:
                    raise RuntimeError(f"{proc.args[0]} exited: see {self.tmp}/php-fpm.log, {self.tmp}/nginx-error.log")
            try:
                response = requests.get(self.url + "/wiki/Main_Page", timeout=10)
                if response.status_code == 200 and "Main Page" in response.text:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"MediaWiki did not answer within 60 s; see {self.tmp}/php-fpm.log")

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGQUIT if "nginx" in proc.args[0] else signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.procs.clear()

    def api_saves(self, count: int) -> dict:
        """Anonymous edits through the action API with one client: new pages of the same kind."""
        session = requests.Session()
        api = self.url + "/api.php"
        token = session.get(api, params={"action": "query", "meta": "tokens", "format": "json"},
                            timeout=30).json()["query"]["tokens"]["csrftoken"]
        rng = random.Random(2)
        latencies = []
        errors = 0
        started = time.perf_counter()
        for n in range(count):
            text = wikitext(rng, n)
            start = time.perf_counter()
            response = session.post(api, data={"action": "edit", "title": f"Saved {n}", "text": text,
                                               "summary": "benchmark", "token": token, "format": "json"}, timeout=60)
            latencies.append(time.perf_counter() - start)
            errors += response.status_code != 200 or response.json().get("edit", {}).get("result") != "Success"
        elapsed = time.perf_counter() - started
        return {**summary_ms(latencies), "pages_per_s": round(count / elapsed, 1), "errors": errors}

    def parser_cache_entries(self) -> int | None:
        if self.parser_cache != "db":
            return None
        db = self.tmp / "data" / "wikicache.sqlite"
        if not db.exists():
            return None
        try:
            with sqlite3.connect(db) as conn:
                return conn.execute("SELECT count(*) FROM objectcache WHERE keyname LIKE '%pcache%'").fetchone()[0]
        except sqlite3.Error:
            return None


def table(tw: dict, mw: dict) -> str:
    rows = [f"{'':18}{'ticketwiki':>38}{'MediaWiki 1.39':>38}{'ratio tw/mw':>14}{'CPU ms/view':>13}",
            f"{'':18}" + f"{'p50 ms':>9}{'p95 ms':>9}{'views/s':>10}{'CPU ms':>10}" * 2 + f"{'views/s':>14}{'mw/tw':>13}"]
    for name in ("cold", "warm", "hot"):
        a, b = tw[f"views_{name}"], mw[f"views_{name}"]
        ratio = a["views_per_s"] / b["views_per_s"] if b["views_per_s"] else float("inf")
        cpu = b["server_cpu_ms_per_view"] / a["server_cpu_ms_per_view"] if a["server_cpu_ms_per_view"] else float("inf")
        rows.append(f"{'views (' + name + ')':18}{a['p50_ms']:>9}{a['p95_ms']:>9}{a['views_per_s']:>10}"
                    f"{a['server_cpu_ms_per_view']:>10}{b['p50_ms']:>9}{b['p95_ms']:>9}{b['views_per_s']:>10}"
                    f"{b['server_cpu_ms_per_view']:>10}{ratio:>13.2f}x{cpu:>12.2f}x")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients; also php-fpm's "
                        "pm.max_children and ticketwiki's waitress threads")
    parser.add_argument("--requests", type=int, default=250, help="requests per client and pass")
    parser.add_argument("--parser-cache", choices=["accel", "db"], default="accel",
                        help="MediaWiki's parser cache: APCu (CACHE_ACCEL, default) or SQLite (CACHE_DB)")
    parser.add_argument("--api-saves", type=int, default=200,
                        help="MediaWiki edits through the action API with 1 client, after the views (0: skip)")
    parser.add_argument("--link-tables", action="store_true",
                        help="let importDump.php fill MediaWiki's link tables (parses every page: ~25x slower "
                             "import; page views do not read them)")
    parser.add_argument("--tw-workers", type=int, default=1,
                        help="ticketwiki processes (threads each: clients / workers), as php-fpm uses several")
    parser.add_argument("--skip-ticketwiki", action="store_true", help="measure MediaWiki only")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (for debugging)")
    args = parser.parse_args()

    ensure_packages()
    log(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    tmp = Path(tempfile.mkdtemp(prefix="mw-bench-"))
    figures: dict = {"pages": args.pages, "clients": args.clients, "requests_per_client_and_pass": args.requests,
                     "versions": versions()}
    site = MediaWikiSite(tmp, args.clients, args.parser_cache)
    with ExitStack() as stack:
        stack.callback(lambda: None if args.keep else shutil.rmtree(tmp, ignore_errors=True))
        stack.callback(site.stop)
        # 1. Build both sites from the same seed: MediaWiki (install + import, not timed
        #    against ticketwiki's saves), then ticketwiki (bench/engine.py's build: saves).
        started = time.perf_counter()
        site.install()
        log(f"MediaWiki installed in {tmp} ({time.perf_counter() - started:.1f} s)")
        mw_rng = random.Random(1)  # as bench/engine.py: page content, then the view sequence
        mw = {"import": site.import_pages(args.pages, mw_rng, args.link_tables)}
        tw = None
        if not args.skip_ticketwiki:
            tw_rng = random.Random(1)
            tw_tmp = Path(tempfile.mkdtemp(prefix="tw-bench-"))
            stack.callback(lambda: shutil.rmtree(tw_tmp, ignore_errors=True))
            log("ticketwiki: saving the same pages (bench/engine.py)")
            tw_instance, tw = engine.build(args.pages, tw_rng, instance=str(tw_tmp),
                                           log=lambda m: log("ticketwiki: " + m))
            assert tw_rng.getstate() == mw_rng.getstate(), "page generators diverged"
            tw_server = stack.enter_context(ServedInstance(tw_instance, threads=max(1, args.clients // args.tw_workers),
                                                           workers=args.tw_workers))

        # 2. Views.  MediaWiki's php-fpm starts now, so APCu (and with it the parser cache) is
        #    empty: the cold pass parses every page it has not seen.  Both servers are up but
        #    only one is measured at a time, in the order ticketwiki cold, MediaWiki cold,
        #    MediaWiki warm, ticketwiki warm, ticketwiki hot, MediaWiki hot, so a drift in
        #    background load hits both alike.  Both get the same page sequences (same rng state).
        #    Then a "hot" pass replays the cold pass's page sequence, so every page it asks for
        #    has been viewed before (with 10,000 pages, bench/engine.py's warm pass mostly asks for
        #    pages not viewed yet, so MediaWiki's parser cache rarely has them).
        site.start()
        cold_state = mw_rng.getstate()
        order = [("mw", "cold"), ("mw", "warm"), ("mw", "hot")] if tw is None else \
            [("tw", "cold"), ("mw", "cold"), ("mw", "warm"), ("tw", "warm"), ("tw", "hot"), ("mw", "hot")]
        for system, name in order:
            if name == "hot":
                (tw_rng if system == "tw" else mw_rng).setstate(cold_state)
            if system == "tw":
                server_cpu = lambda: cpu_seconds(tw_server.proc.pid, group=True)  # noqa: E731  (all its workers)
            else:
                server_cpu = lambda: sum(cpu_seconds(proc.pid, group=True) for proc in site.procs)  # noqa: E731
            cpu_before = server_cpu()
            if system == "tw":
                result = engine.view_pages(tw_server.url, args.pages, args.clients, args.requests, tw_rng)
                tw[f"views_{name}"] = result
            else:
                result = engine.view_pages(site.url, args.pages, args.clients, args.requests, mw_rng)
                mw[f"views_{name}"] = result
            # Server CPU time per view (all processes and threads of the server, nginx included
            # for MediaWiki): much less sensitive than views/s to other load on the machine.
            result["server_cpu_ms_per_view"] = round(
                (server_cpu() - cpu_before) * 1000 / max(result["count"], 1), 2)
            log(f"{'ticketwiki' if system == 'tw' else 'MediaWiki'}: views ({name} cache, {args.clients} clients): "
                f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, {result['views_per_s']} views/s, "
                f"server CPU {result['server_cpu_ms_per_view']} ms/view, errors {result['errors']}")
        entries = site.parser_cache_entries()
        if entries is not None:
            mw["parser_cache_entries_after_views"] = entries
        if args.api_saves:
            mw["api_save_1_client"] = site.api_saves(args.api_saves)
            s = mw["api_save_1_client"]
            log(f"MediaWiki: {args.api_saves} saves through the action API, 1 client: {s['pages_per_s']} pages/s, "
                f"p50 {s['p50_ms']} ms, errors {s['errors']}")
        figures["load_average_after"] = [round(x, 2) for x in os.getloadavg()]

    figures["mediawiki"] = {
        **mw,
        "setup": {
            "server": f"nginx {figures['versions']['nginx']} + php-fpm {figures['versions']['php']} "
                      f"(pm = static, pm.max_children = {args.clients}), FastCGI over a unix socket",
            "database": "SQLite (MediaWiki's sqlite backend)",
            "opcache": "on: " + ", ".join(f"{k}={v}" for k, v in FPM_INI.items() if k.startswith("opcache")),
            "main_cache": "CACHE_ACCEL (APCu, apc.shm_size=" + FPM_INI["apc.shm_size"] + ")",
            "parser_cache": "CACHE_ACCEL (APCu)" if args.parser_cache == "accel" else "CACHE_DB (SQLite objectcache)",
            "localisation_cache": "files ($wgCacheDirectory, store 'array')",
            "extensions": ["ParserFunctions"],
            "skin": "Vector",
            "short_urls": "/wiki/$1",
            "job_run_rate": 0,
            "cdn_or_file_cache": "none ($wgUseFileCache off, no Varnish): every view runs index.php",
            "import": "importDump.php (XML dump" + ("" if args.link_tables else ", --no-updates") + "), then "
                      "initSiteStats.php and runJobs.php; not comparable with ticketwiki's per-page in-process save",
        },
    }
    if tw is not None:
        server = (f"waitress {figures['versions']['waitress']}, {args.clients} threads" if args.tw_workers == 1 else
                  f"gunicorn, {args.tw_workers} processes x {max(1, args.clients // args.tw_workers)} threads")
        figures["ticketwiki"] = {**tw, "setup": {"server": f"python -m wiki serve ({server})", "database": "SQLite"}}
        figures["ratio_views_per_s"] = {
            name: round(tw[f"views_{name}"]["views_per_s"] / mw[f"views_{name}"]["views_per_s"], 2)
            for name in ("cold", "warm", "hot") if mw[f"views_{name}"]["views_per_s"]}
        figures["ratio_server_cpu_per_view_mw_over_tw"] = {
            name: round(mw[f"views_{name}"]["server_cpu_ms_per_view"] / tw[f"views_{name}"]["server_cpu_ms_per_view"], 2)
            for name in ("cold", "warm", "hot") if tw[f"views_{name}"]["server_cpu_ms_per_view"]}
        log("")
        log(f"{args.pages} pages, {args.clients} clients x {args.requests} requests per pass, MediaWiki parser cache: "
            f"{figures['mediawiki']['setup']['parser_cache']}")
        log(table(tw, mw))
        log(f"saves: ticketwiki {tw['save']['pages_per_s']} pages/s (in-process save_page, 1 writer); MediaWiki "
            + (f"{mw['api_save_1_client']['pages_per_s']} pages/s through the action API with 1 client (HTTP "
               "included, so only indicative)" if "api_save_1_client" in mw else "not measured")
            + f"; MediaWiki's bulk import {mw['import']['import_pages_per_s']} pages/s is not comparable")
    name = "mediawiki" if args.parser_cache == "accel" else "mediawiki-dbcache"
    path = write_results(name, figures)
    log(f"figures written to {path}")


if __name__ == "__main__":
    main()
