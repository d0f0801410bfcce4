"""Lock and requirements file formats → exact pinned versions."""

from __future__ import annotations

import json

import pytest

from scanner.probes.code.lockfiles import LockfileError, is_lockfile, pinned


def _pins(rel: str, text: str) -> set[tuple[str, str, str]]:
    return {(p.ecosystem, p.name, p.version) for p in pinned(rel, text)}


def test_composer_lock_strips_the_v_prefix_and_reads_dev_packages() -> None:
    text = json.dumps({"packages": [{"name": "laravel/framework", "version": "v9.52.16"}],
                       "packages-dev": [{"name": "phpunit/phpunit", "version": "9.6.13"}]})
    assert _pins("composer.lock", text) == {("Packagist", "laravel/framework", "9.52.16"),
                                            ("Packagist", "phpunit/phpunit", "9.6.13")}


def test_package_lock_v1_nested_and_v3_flat() -> None:
    v1 = json.dumps({"lockfileVersion": 1, "dependencies": {
        "express": {"version": "4.17.1", "dependencies": {"qs": {"version": "6.7.0"}}}}})
    assert _pins("package-lock.json", v1) == {("npm", "express", "4.17.1"), ("npm", "qs", "6.7.0")}
    v3 = json.dumps({"lockfileVersion": 3, "packages": {
        "": {"name": "app", "version": "1.0.0"}, "node_modules/@scope/pkg": {"version": "2.0.0"},
        "node_modules/a/node_modules/b": {"version": "0.1.0"}, "packages/local": {"version": "9.9.9"},
        "node_modules/linked": {"resolved": "packages/local", "link": True}}})
    assert _pins("package-lock.json", v3) == {("npm", "@scope/pkg", "2.0.0"), ("npm", "b", "0.1.0")}


def test_yarn_lock_v1_and_berry() -> None:
    v1 = ('# yarn lockfile v1\n\n"@babel/core@^7.0.0", "@babel/core@^7.1.0":\n  version "7.23.2"\n'
          '  resolved "https://registry.yarnpkg.com/x"\n\nlodash@^4.17.20:\n  version "4.17.20"\n')
    assert _pins("yarn.lock", v1) == {("npm", "@babel/core", "7.23.2"), ("npm", "lodash", "4.17.20")}
    berry = ('__metadata:\n  version: 6\n\n"lodash@npm:^4.17.20":\n  version: 4.17.20\n'
             '  resolution: "lodash@npm:4.17.20"\n')
    assert _pins("yarn.lock", berry) == {("npm", "lodash", "4.17.20")}


@pytest.mark.parametrize("key", ["/lodash/4.17.20", "/lodash@4.17.20", "lodash@4.17.20",
                                 "/lodash@4.17.20(react@18.0.0)"])
def test_pnpm_lock_key_styles(key: str) -> None:
    assert _pins("pnpm-lock.yaml", f"lockfileVersion: '6.0'\npackages:\n  '{key}':\n    resolution: {{}}\n") == {
        ("npm", "lodash", "4.17.20")}


def test_pnpm_scoped_package() -> None:
    text = "packages:\n  /@types/node@20.1.0:\n    resolution: {}\n  '@vue/shared@3.3.4':\n    resolution: {}\n"
    assert _pins("pnpm-lock.yaml", text) == {("npm", "@types/node", "20.1.0"), ("npm", "@vue/shared", "3.3.4")}


def test_requirements_only_exact_pins() -> None:
    text = "Django==3.2.1\nrequests>=2\nJinja2[i18n]==3.1.2 ; python_version>'3'\n# comment\n-r other.txt\n"
    assert _pins("requirements-prod.txt", text) == {("PyPI", "Django", "3.2.1"), ("PyPI", "Jinja2", "3.1.2")}


def test_poetry_and_pipfile_locks() -> None:
    poetry = '[[package]]\nname = "django"\nversion = "4.2.1"\n\n[[package]]\nname = "jinja2"\nversion = "3.1.2"\n'
    assert _pins("poetry.lock", poetry) == {("PyPI", "django", "4.2.1"), ("PyPI", "jinja2", "3.1.2")}
    pipfile = json.dumps({"default": {"flask": {"version": "==2.0.1"}}, "develop": {"pytest": {"version": "==7.0.0"}}})
    assert _pins("Pipfile.lock", pipfile) == {("PyPI", "flask", "2.0.1"), ("PyPI", "pytest", "7.0.0")}


def test_which_files_are_lock_files() -> None:
    assert is_lockfile("sub/composer.lock") and is_lockfile("requirements-dev.txt") and is_lockfile("yarn.lock")
    assert not is_lockfile("composer.json") and not is_lockfile("notes.txt")


@pytest.mark.parametrize(("rel", "text"), [("composer.lock", "{"), ("poetry.lock", "[[package"),
                                           ("pnpm-lock.yaml", "packages: [: :"), ("Pipfile.lock", "[]")])
def test_malformed_lock_files_raise_a_clear_error(rel: str, text: str) -> None:
    with pytest.raises(LockfileError, match=rel):
        pinned(rel, text)
