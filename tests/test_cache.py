"""The result cache (generator/cache.py): real `python -m generator` processes on real files,
each test with a cache folder of its own. The one rule: a run answered from the cache prints
exactly what the cache-free run prints, and exits the same."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, build_file_tree
from generator import cache, workspace
from generator.render import module as render_module
from generator.render.starter import starter_spec
from generator.spec import model

DEBUG = "gluegen cache: "
SHARED_JOB = """\
version: 1
module: shared
workflow:
  name: shared_workflow
stages:
  bronze: {}
  left: {after: [bronze], job: refine}
  right: {after: [bronze], job: refine}
"""


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str
    cache: tuple[str, ...]  # the cache's own lines (GLUEGEN_CACHE_DEBUG), apart from err


@dataclass
class Gluegen:
    """`python -m generator` with a package (a copy, when a test edits it) and a cache folder."""

    package: Path
    cache_dir: Path

    def __call__(self, *args: str, cwd: Path, **env: str) -> Outcome:
        environ = {key: value for key, value in os.environ.items() if not key.startswith("GLUEGEN_")}
        environ.update({"PYTHONPATH": str(self.package), "GLUEGEN_CACHE_DIR": str(self.cache_dir),
                        "GLUEGEN_CACHE_DEBUG": "1", **env})
        result = subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=environ,
                                capture_output=True, text=True, timeout=300)
        lines = result.stderr.splitlines(keepends=True)
        return Outcome(result.returncode, result.stdout, "".join(line for line in lines if not line.startswith(DEBUG)),
                       tuple(line[len(DEBUG):].strip() for line in lines if line.startswith(DEBUG)))

    def entries(self) -> list[Path]:
        folder = self.cache_dir / "entries"
        return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.is_dir() else []


def same(cached: Outcome, truth: Outcome) -> None:
    assert (cached.code, cached.out, cached.err) == (truth.code, truth.out, truth.err)


def hit(outcome: Outcome) -> bool:
    return outcome.cache == ("hit",)


@pytest.fixture
def gluegen(tmp_path) -> Gluegen:
    return Gluegen(ROOT, tmp_path / "cache")


@pytest.fixture
def own_package(tmp_path) -> Gluegen:
    """A copy of the package and its templates, for the tests that edit them."""
    package = tmp_path / "package"
    for name in ("generator", "templates"):
        shutil.copytree(ROOT / name, package / name, ignore=shutil.ignore_patterns("__pycache__"))
    return Gluegen(package, tmp_path / "cache")


@pytest.fixture
def project(tmp_path, gluegen) -> Path:
    """Two specs (one with environments, one with a warning) and their generated output."""
    root = tmp_path / "project"
    shutil.copytree(ROOT / "specs", root / "specs", ignore=lambda folder, names: [
        name for name in names if name.endswith(".yaml") and name not in ("claims_daily.yaml", "metriccare.yaml")])
    build_file_tree(root, {"specs/shared.yaml": SHARED_JOB})
    assert gluegen("generate", cwd=root, GLUEGEN_NO_CACHE="1").code == 0
    return root


def test_the_fast_path_knows_the_cli_defaults():
    assert (cache.DEFAULT_OUT_DIR, cache.DEFAULT_SPECS_DIR) == (render_module.DEFAULT_OUT_DIR, render_module.DEFAULT_SPECS_DIR)
    assert cache.ENVS_FOLDER == model.ENVS_FOLDER
    assert cache.SPEC_SUFFIXES == workspace.SPEC_SUFFIXES


@pytest.mark.parametrize("argv, parsed", [
    (["check"], ("check", (), "out", "specs")),
    (["generate", "a.yaml", "b.yaml", "--out-dir", "o"], ("generate", ("a.yaml", "b.yaml"), "o", None)),
    (["check", "--out-dir=o", "a.yaml"], ("check", ("a.yaml",), "o", None)),
    (["check", "--specs-dir", "s", "--out-dir", "out"], ("check", (), "out", "s")),
    (["check", "--out", "o"], None),  # an abbreviation: argparse's to read
    (["check", "--no-cache"], None),
    (["check", "--", "a.yaml"], None),
    (["check", "-h"], None),
    (["check", "--out-dir"], None),
    (["check", "--out-dir="], None),
    (["check", "--out-dir", "a", "--out-dir", "b"], None),
    (["check", "a.yaml", "--out-dir", "o", "b.yaml"], None),  # argparse refuses a second run of SPECs
    (["check", "a.yaml", "--specs-dir", "s"], None),
    (["validate"], None),
    ([], None),
])
def test_parse_takes_only_what_it_can_answer_exactly(argv, parsed):
    run = cache.parse(argv)
    assert (run and (run.command, run.specs, run.out_dir, run.specs_dir)) == parsed


def test_a_hit_prints_exactly_what_the_normal_path_prints_and_never_imports_pydantic(gluegen, project):
    truth = gluegen("check", cwd=project, GLUEGEN_NO_CACHE="1")
    assert truth.code == 0 and "warning:" in truth.err and truth.cache == ()
    first = gluegen("check", cwd=project)
    assert first.cache == ("miss: no cache key", "stored")
    second = gluegen("check", cwd=project)
    assert hit(second)
    same(first, truth)
    same(second, truth)
    imports = gluegen("check", "-X", cwd=project)  # unknown option: argparse's error, not the cache's
    assert imports.code == 2 and imports.cache == ()
    environ = {**os.environ, "PYTHONPATH": str(ROOT), "GLUEGEN_CACHE_DIR": str(gluegen.cache_dir)}
    traced = subprocess.run([sys.executable, "-X", "importtime", "-m", "generator", "check"], cwd=project, env=environ,
                            capture_output=True, text=True)
    assert traced.returncode == 0
    imported = {line.rsplit("|", 1)[-1].strip() for line in traced.stderr.splitlines() if line.startswith("import time:")}
    assert "generator.cache" in imported
    assert not {name for name in imported if name.split(".")[0] in ("pydantic", "jinja2", "yaml", "generator.cli")}
    # generate: an up-to-date run is stored, and then answered, with the same lines
    truth = gluegen("generate", cwd=project, GLUEGEN_NO_CACHE="1")
    assert truth.out.count("up to date") == 5
    same(gluegen("generate", cwd=project), truth)
    answered = gluegen("generate", cwd=project)
    assert hit(answered)
    same(answered, truth)


def test_stale_output_is_answered_with_the_same_diff_and_generate_is_never_answered_when_it_writes(gluegen, project):
    main = project / "out" / "glue_workflow" / "main.tf"
    main.write_text(main.read_text() + "# edited by hand\n")
    (project / "out" / "envs" / "dev" / "providers.tf").unlink()
    truth = gluegen("check", cwd=project, GLUEGEN_NO_CACHE="1")
    assert truth.code == 1 and "MISSING: out/envs/dev/providers.tf" in truth.out and "out/glue_workflow/main.tf (on disk)" in truth.out
    same(gluegen("check", cwd=project), truth)
    answered = gluegen("check", cwd=project)
    assert hit(answered)
    same(answered, truth)
    wrote = gluegen("generate", cwd=project)
    assert "wrote main.tf" in wrote.out and wrote.cache[-1] != "stored"
    after = gluegen("check", cwd=project)
    assert not hit(after) and after.code == 0  # the out dir changed: the earlier entry does not apply


def edit_spec(root: Path) -> None:
    path = root / "specs" / "metriccare.yaml"
    path.write_text(path.read_text().replace("metriccare_etl_workflow", "metriccare_etl_v2"))


def edit_environment_input(root: Path) -> None:
    path = root / "specs" / "claims_daily.yaml"
    path.write_text(path.read_text().replace("workflow_name: claims_daily_dev", "workflow_name: claims_daily_test"))


def edit_environment_root(root: Path) -> None:
    path = root / "out" / "envs" / "prod" / "claims_daily.tf"
    path.write_text(path.read_text() + "\n")


def remove_named_spec(root: Path) -> None:
    (root / "specs" / "shared.yaml").unlink()


@pytest.mark.parametrize("edit", [edit_spec, edit_environment_input, edit_environment_root])
def test_after_an_edit_the_next_check_is_the_cache_free_one(gluegen, project, edit):
    assert gluegen("check", cwd=project).code == 0
    assert hit(gluegen("check", cwd=project))
    edit(project)
    truth = gluegen("check", cwd=project, GLUEGEN_NO_CACHE="1")
    assert truth.code == 1
    cached = gluegen("check", cwd=project)
    assert not hit(cached)
    same(cached, truth)


def test_a_spec_that_a_header_names_is_watched_even_when_the_run_does_not_read_it(gluegen, project):
    """`check specs/metriccare.yaml` leaves out/shared/ alone while specs/shared.yaml exists; once it is
    gone, out/shared/ is orphaned, though nothing the run reads (its spec, the out dir) changed."""
    assert gluegen("check", "specs/metriccare.yaml", cwd=project).code == 0
    assert hit(gluegen("check", "specs/metriccare.yaml", cwd=project))
    remove_named_spec(project)
    truth = gluegen("check", "specs/metriccare.yaml", cwd=project, GLUEGEN_NO_CACHE="1")
    assert truth.code == 1 and "ORPHANED: out/shared/" in truth.out
    cached = gluegen("check", "specs/metriccare.yaml", cwd=project)
    assert not hit(cached) and any(line.endswith(": changed") for line in cached.cache)
    same(cached, truth)


def test_a_template_or_package_edit_is_a_miss(own_package, project):
    gluegen = own_package
    assert gluegen("check", cwd=project).code == 0
    assert hit(gluegen("check", cwd=project))
    source = gluegen.package / "generator" / "compare.py"
    source.write_text(source.read_text() + "\n# an edit that changes no output\n")
    cached = gluegen("check", cwd=project)
    assert not hit(cached) and cached.code == 0
    assert hit(gluegen("check", cwd=project))
    template = gluegen.package / "templates" / "outputs.tf.jinja"
    template.write_text(template.read_text() + "# a template edit\n")
    truth = gluegen("check", cwd=project, GLUEGEN_NO_CACHE="1")
    assert truth.code == 1
    cached = gluegen("check", cwd=project)
    assert not hit(cached)
    same(cached, truth)
    new = gluegen.package / "templates" / "a_new_file.tf.jinja"  # a file of any name counts
    new.write_text("")
    assert not hit(gluegen("check", cwd=project))


def only_entry(gluegen: Gluegen) -> Path:
    (entry,) = gluegen.entries()
    return entry


def test_corrupt_truncated_or_foreign_entries_are_ignored_and_replaced(gluegen, project):
    main = project / "out" / "glue_workflow" / "main.tf"
    main.write_text(main.read_text() + "\n")
    truth = gluegen("check", cwd=project, GLUEGEN_NO_CACHE="1")
    assert truth.code == 1
    gluegen("check", cwd=project)
    entry = only_entry(gluegen)
    good = entry.read_bytes()
    for damaged in (good[: len(good) // 2], good[:-1], b"", b"\0" * len(good), good.replace(b"gluegen-cache 1", b"gluegen-cache 9"),
                    b"not an entry at all\n", good[:80] + bytes([good[80] ^ 1]) + good[81:]):
        entry.write_bytes(damaged)
        cached = gluegen("check", cwd=project)
        assert not hit(cached) and cached.cache[-1] == "stored"  # replaced
        same(cached, truth)
    answered = gluegen("check", cwd=project)
    assert hit(answered)
    same(answered, truth)
    (gluegen.cache_dir / "secret").write_bytes(b"short")  # a damaged key: nothing verifies, and a new key is made
    same(gluegen("check", cwd=project), truth)
    answered = gluegen("check", cwd=project)
    assert hit(answered)
    same(answered, truth)


def test_a_poisoned_entry_is_never_trusted(tmp_path, project):
    """Entries of a valid format whose content is wrong: one that claims a clean check for a stale
    out dir (copied from another cache folder, whose key differs; or this cache's entry of the clean
    state, put under the stale state's name; or re-signed without the key) is detected and ignored."""
    ours, theirs = Gluegen(ROOT, tmp_path / "ours"), Gluegen(ROOT, tmp_path / "theirs")
    clean = ours("check", cwd=project)
    assert clean.code == 0
    clean_entry = only_entry(ours).read_bytes()
    assert theirs("check", cwd=project).code == 0
    main = project / "out" / "glue_workflow" / "main.tf"
    main.write_text(main.read_text() + "# edited by hand\n")
    truth = ours("check", cwd=project, GLUEGEN_NO_CACHE="1")
    assert truth.code == 1
    theirs_clean = only_entry(theirs).read_bytes()
    ours("check", cwd=project)  # the stale state's entry
    stale_path = next(path for path in ours.entries() if path.read_bytes() != clean_entry)
    for poison in (theirs_clean, clean_entry):
        stale_path.write_bytes(poison)
        cached = ours("check", cwd=project)
        assert not hit(cached), poison
        same(cached, truth)
    # a body edited to say "exit 0, nothing to say", with a digest that is right but not keyed
    import marshal

    from generator.cache import MAGIC, blake2b

    body = stale_path.read_bytes()[len(MAGIC) + 32:]
    key, state, code, out, err, probes = marshal.loads(body)
    forged = marshal.dumps((key, state, 0, "", err, probes))
    stale_path.write_bytes(MAGIC + blake2b(MAGIC + forged, digest_size=32).digest() + forged)
    cached = ours("check", cwd=project)
    assert not hit(cached) and any("does not verify" in line for line in cached.cache)
    same(cached, truth)


def test_processes_writing_at_once_leave_a_valid_cache(gluegen, project):
    truth = gluegen("check", cwd=project, GLUEGEN_NO_CACHE="1")
    environ = {**os.environ, "PYTHONPATH": str(ROOT), "GLUEGEN_CACHE_DIR": str(gluegen.cache_dir)}
    for _ in range(2):  # a cold cache (the key made at once), then entries replaced at once
        runs = [subprocess.Popen([sys.executable, "-m", "generator", "check"], cwd=project, env=environ,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
        for run in runs:
            out, err = run.communicate(timeout=300)
            assert (run.returncode, out, err) == (truth.code, truth.out, truth.err)
        answered = gluegen("check", cwd=project)
        assert hit(answered)
        same(answered, truth)
        for entry in gluegen.entries():
            entry.write_bytes(b"")
    leftovers = [path.name for path in gluegen.cache_dir.rglob("*") if path.name.endswith(".tmp") or path.name.startswith("secret.")]
    assert leftovers == []


def test_a_cache_folder_that_cannot_be_written_is_no_cache_and_no_error(tmp_path, project):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    unwritable = Gluegen(ROOT, tmp_path / "ro")
    unwritable("check", cwd=project)  # a key and an entry, then nothing can be added
    (unwritable.cache_dir / "entries").rename(tmp_path / "old_entries")
    (unwritable.cache_dir / "entries").write_text("")  # where entries would go: a file
    for gluegen in (Gluegen(ROOT, blocker / "cache"), unwritable):
        truth = gluegen("check", cwd=project, GLUEGEN_NO_CACHE="1")
        for _ in range(2):
            cached = gluegen("check", cwd=project)
            assert not hit(cached) and cached.cache[-1].startswith("not stored")
            same(cached, truth)
            plain = subprocess.run([sys.executable, "-m", "generator", "check"], cwd=project, capture_output=True, text=True,
                                   env={**os.environ, "PYTHONPATH": str(ROOT), "GLUEGEN_CACHE_DIR": str(gluegen.cache_dir)})
            assert (plain.returncode, plain.stdout, plain.stderr) == (truth.code, truth.out, truth.err)
    # read-only but populated: answered (no write is needed for a hit)
    (unwritable.cache_dir / "entries").unlink()
    (tmp_path / "old_entries").rename(unwritable.cache_dir / "entries")
    for path in (unwritable.cache_dir, *unwritable.cache_dir.rglob("*")):
        path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        assert hit(unwritable("check", cwd=project))
    finally:
        for path in (unwritable.cache_dir, *unwritable.cache_dir.rglob("*")):
            path.chmod(0o755 if path.is_dir() else 0o644)


@pytest.mark.parametrize("argv, off", [(["check"], {"GLUEGEN_NO_CACHE": "1"}), (["check", "--no-cache"], {})])
def test_the_cache_can_be_turned_off(gluegen, project, argv, off):
    for _ in range(2):
        result = gluegen(*argv, cwd=project, **off)
        assert result.code == 0 and result.cache == ()
    assert not gluegen.cache_dir.exists()
    gluegen("check", cwd=project)
    assert gluegen.entries()
    assert gluegen(*argv, cwd=project, **off).cache == ()  # a warm cache is not read either


def test_location_follows_the_platform_convention(monkeypatch):
    assert cache.location({"GLUEGEN_CACHE_DIR": "/c", "XDG_CACHE_HOME": "/x"}) == "/c"
    if sys.platform.startswith("linux"):
        assert cache.location({"XDG_CACHE_HOME": "/x"}) == "/x/gluegen"
        monkeypatch.setenv("HOME", "/home/someone")
        assert cache.location({}) == "/home/someone/.cache/gluegen"
        assert cache.location({"XDG_CACHE_HOME": "relative"}) == "/home/someone/.cache/gluegen"
    assert cache.disabled({"GLUEGEN_NO_CACHE": "1"}) and not cache.disabled({"GLUEGEN_NO_CACHE": "0"}) and not cache.disabled({})


# -- the property: whatever is edited, a cached check says what the cache-free one says --------

EDITS = {
    "spec": edit_spec,
    "environment input": edit_environment_input,
    "environment root": edit_environment_root,
    "named spec removed": remove_named_spec,
    "module file edited": lambda root: (root / "out" / "glue_workflow" / "outputs.tf").write_text("# Generated by gluegen\n"),
    "module file removed": lambda root: (root / "out" / "glue_workflow" / "main.tf").unlink(missing_ok=True),
    "hand-written file": lambda root: (root / "out" / "shared" / "notes.md").write_text("mine\n"),
    "hand-written file in the way": lambda root: (root / "out" / "claims_daily" / "main.tf").write_text("mine\n"),
    "spec added": lambda root: (root / "specs" / "etl.yaml").write_text(starter_spec("etl")),
    "module renamed": lambda root: (root / "specs" / "shared.yaml").write_text(SHARED_JOB.replace("module: shared", "module: shared_v2")),
    "invalid spec": lambda root: (root / "specs" / "metriccare.yaml").write_text("version: 1\nmodule: [\n"),
    "orphan folder": lambda root: shutil.copytree(root / "out" / "glue_workflow", root / "out" / "old_copy", dirs_exist_ok=True),
    "BOM": lambda root: (root / "out" / "shared" / "main.tf").write_bytes(b"\xef\xbb\xbf" + (root / "out" / "shared" / "main.tf").read_bytes()),
    "regenerated": None,
}


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.sampled_from(sorted(EDITS)), min_size=1, max_size=3),
       argv=st.sampled_from([("check",), ("check", "specs/metriccare.yaml", "specs/shared.yaml"), ("generate",)]))
def test_property_a_cached_run_says_what_the_cache_free_run_says(tmp_path_factory, edits, argv):
    base = tmp_path_factory.getbasetemp()
    gluegen = Gluegen(ROOT, base / "property-cache")  # shared by every example, as is the project's folder:
    root = base / "property-root"  # entries of earlier examples' states are there to be (mis)taken
    shutil.rmtree(root, ignore_errors=True)
    template = tmp_path_factory.getbasetemp() / "property-project"
    if not template.exists():
        build_file_tree(template, {"specs/shared.yaml": SHARED_JOB})
        for name in ("claims_daily.yaml", "metriccare.yaml"):
            shutil.copy(ROOT / "specs" / name, template / "specs" / name)
        assert gluegen("generate", cwd=template, GLUEGEN_NO_CACHE="1").code == 0
    shutil.copytree(template, root, dirs_exist_ok=True)
    for name in edits:
        if EDITS[name] is None:
            gluegen("generate", cwd=root, GLUEGEN_NO_CACHE="1")
        else:
            with contextlib.suppress(FileNotFoundError):  # an earlier edit removed what this one edits
                EDITS[name](root)
    for _ in range(2):  # a miss, then (when the run could be stored) a hit
        if argv[0] == "generate":  # generate changes the tree: compare on two copies
            twin = tmp_path_factory.mktemp("twin")
            shutil.copytree(root, twin, dirs_exist_ok=True)
            truth = gluegen(*argv, cwd=twin, GLUEGEN_NO_CACHE="1")
        else:
            truth = gluegen(*argv, cwd=root, GLUEGEN_NO_CACHE="1")
        cached = gluegen(*argv, cwd=root)
        same(cached, truth)
        if argv[0] == "generate":
            assert workspace.read_folder(root / "out" / "shared").generated == workspace.read_folder(twin / "out" / "shared").generated


def test_a_symbolic_link_in_the_out_dir_is_a_miss(gluegen, project):
    """The normal path follows a link in place of envs/ (or a module folder) and compares what is
    behind it; the cache does not look behind links, so it never answers for such an out dir."""
    envs = project / "out" / "envs"
    shutil.move(envs, project / "elsewhere")
    envs.symlink_to(project / "elsewhere", target_is_directory=True)
    assert gluegen("check", cwd=project).code == 0
    root = next((project / "elsewhere").iterdir())
    (root / "providers.tf").write_text((root / "providers.tf").read_text() + "# edited by hand\n")
    truth = gluegen("check", cwd=project, GLUEGEN_NO_CACHE="1")
    assert truth.code == 1
    cached = gluegen("check", cwd=project)
    assert not hit(cached) and any("symbolic link" in line for line in cached.cache), cached.cache
    same(cached, truth)


@pytest.mark.parametrize("loose", ["folder", "key"])
def test_a_key_others_could_have_written_is_not_trusted(gluegen, project, loose):
    """A cache folder (or a key) others may write could hold a key they replaced and entries they
    signed with it: the cache is then not used."""
    assert gluegen("check", cwd=project).code == 0
    assert hit(gluegen("check", cwd=project))
    target = gluegen.cache_dir if loose == "folder" else gluegen.cache_dir / "secret"
    target.chmod(0o777 if loose == "folder" else 0o666)
    answered = gluegen("check", cwd=project)
    assert not hit(answered), answered.cache
    same(answered, gluegen("check", cwd=project, GLUEGEN_NO_CACHE="1"))


def test_a_miss_reads_the_out_dir_once_before_the_run_and_once_after(gluegen, project):
    """The normal path's Recorder starts from what the fast path read on its miss (not a second
    read and hash of the out dir); after the run it observes afresh before storing."""
    counting = (
        "import sys\nfrom generator import cache\nreads = []\nreal = cache.tree\n"
        "cache.tree = lambda *a, **k: reads.append(1) or real(*a, **k)\n"
        "sys.argv = ['gluegen', 'check']\nfrom generator.__main__ import run\n"
        "try:\n    run()\nexcept SystemExit as end:\n    print(end.code, len(reads))\n"
    )
    environ = {**os.environ, "PYTHONPATH": str(ROOT), "GLUEGEN_CACHE_DIR": str(gluegen.cache_dir)}
    runs = [subprocess.run([sys.executable, "-c", counting], cwd=project, env=environ, capture_output=True,
                           text=True, timeout=300).stdout.split() for _ in range(2)]
    assert runs == [["0", "2"], ["0", "1"]]  # a miss: before and after; a hit: once
