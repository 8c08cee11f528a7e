"""`sqlrelease verify`: bundles (folders, archives, or a folder of them) against their checksums and approvals.

Needs no project: a DBA runs it on what they were handed. Each bundle is read
once (`bundle.open_bundle`), checked (`bundle.verify`) and its approvals judged
on those same bytes (`approval.review_status`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .. import approval
from .. import bundle as bundles
from ..errors import BundleError, ConfigError

# Exit codes, most serious first when several bundles are verified.
FILES_FAIL = 1  # a bundle fails its checksums, manifest, name, or is not plain files
APPROVAL_FAILS = 3  # an approval does not hold: void (the bundle changed), forged, unreadable
UNAPPROVED = 4  # with --require-approval / --pubkey: no valid signed approval of the bundle as it is now
PRIORITY = (FILES_FAIL, APPROVAL_FAILS, UNAPPROVED)


@dataclass
class BundleReport:
    """One bundle: its verification and its review status."""

    path: str
    verification: bundles.Verification
    review: approval.ReviewStatus | None

    @property
    def exit_code(self) -> int:
        if not self.verification.ok:
            return FILES_FAIL
        return self.review.exit_code if self.review else 0

    def to_dict(self) -> dict:
        return {**self.verification.to_dict(), "review": self.review.to_dict() if self.review else None,
                "exit_code": self.exit_code}


@dataclass
class VerifyReport:
    bundles: list[BundleReport] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        codes = {b.exit_code for b in self.bundles}
        return next((code for code in PRIORITY if code in codes), 0)

    def to_dict(self) -> dict:
        return {"bundles": [b.to_dict() for b in self.bundles], "exit_code": self.exit_code}


def verify_bundles(
    paths: Iterable[Path | str],
    pubkeys: Iterable[Path | str] = (),
    require_approval: bool = False,
    release: str | None = None,
) -> VerifyReport:
    """Verify every bundle at `paths`: a bundle folder, an archive, or a folder holding bundles
    (such as `releases/`), each of its bundles. With `pubkeys` or `require_approval`, each bundle
    needs an approval of its current bytes signed by one of the keys. `release` names the release
    a single renamed bundle is meant to be."""
    pubkeys = list(pubkeys)
    if require_approval and not pubkeys:
        raise ConfigError("--require-approval needs --pubkey KEY", hint="anyone can write an unsigned approval; "
                          "only a signature by a key you trust shows who approved")
    keys = approval.load_public_keys(pubkeys)  # a bad key file is an error before anything is read
    found = [bundle for path in paths for bundle in bundles.bundle_paths(path)]
    if release is not None and len(found) != 1:
        raise ConfigError("--release goes with one bundle", hint="verify a renamed copy on its own")
    report = VerifyReport()
    for path in found:
        report.bundles.append(_one(path, keys, bool(keys) or require_approval, release))
    return report


def _one(path: Path, keys: dict, require: bool, release: str | None) -> BundleReport:
    try:
        content = bundles.open_bundle(path)
    except BundleError as exc:
        return BundleReport(str(path), bundles.Verification(bundle=str(path), problems=[exc.message]), None)
    verification = bundles.verify(content, str(path), release)
    review = approval.review_status(content, keys, require=require)
    return BundleReport(str(path), verification, review)
