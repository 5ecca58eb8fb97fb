"""Benchmark: how well a first import of a threaded mailbox correlates, from Dovecot IMAP into a fresh SQLite store.

Starts its own Dovecot (tests/servers) with one account holding N threaded messages
(tests/support/threads.py: threads of 1 to 60 mails, from outside or from mail sent from the CRM;
replies with In-Reply-To and References, some with only one of them, some with only the tracking
token; 4 % of a conversation kept elsewhere, 3 % of the replies on the server before their parent),
then imports it with the engine's cycles back to back, once per batch size, and compares every
activity's correlation with the oracle (each mail correlated as if everything before it in its thread
had been imported in an earlier cycle):

  - replies to tracked mail correlated by In-Reply-To to their parent (aim: >= 99 %, whatever the
    batch size);
  - every mail exactly as the oracle says (method and mail), all of them and those that reached the
    server after what they correlate to;
  - with --tracking replies: the mail tracked against the mail the "replies" choice should track.

    .venv/bin/python bench/imap_threads.py [--messages 10000] [--batch-sizes 7,50,500] [--tracking all]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path

import keyring

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from imap_import import MemoryKeyring, admin, back_to_back, set_up_store, warm_index
from servers.dovecot import DovecotServer
from servers.ports import LOOPBACK
from servers.tls import make_temp_ca
from support.threads import (
    add_crm_roots,
    correlations,
    expected_correlations,
    order_on_server,
    threaded_mailbox,
    tracked_under_replies,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--batch-sizes", default="7,50,500", help="mails per batch, comma-separated")
    parser.add_argument("--tracking", choices=["all", "replies"], default="all")
    parser.add_argument("--out-of-order", type=float, default=0.03, help="share of replies before their parent")
    parser.add_argument("--seed", type=int, default=10_000)
    parser.add_argument("--show", type=int, default=0, help="print this many mails not as the oracle says")
    args = parser.parse_args()
    keyring.set_keyring(MemoryKeyring())
    ca_dir, tls = make_temp_ca()
    work = Path(tempfile.mkdtemp(prefix="desktop-sync-bench-"))
    try:
        with DovecotServer(tls) as dovecot:
            account = dovecot.add_user("alice.threads", "bench-pw")
            # the CRM's sent mail has the same ids in every fresh store: made once to know them
            probe = f"sqlite:///{work / 'probe.sqlite3'}"
            set_up_store(probe, dovecot, tls.ca_cert, account.name, account.password, account.address)
            roots = add_crm_roots(probe, 50)
            mailbox = threaded_mailbox(args.messages, account.address, seed=args.seed, crm_roots=roots)
            in_server_order = mailbox.in_server_order(seed=args.seed, out_of_order=args.out_of_order)
            started = time.perf_counter()
            for mail in in_server_order:
                dovecot.deliver(account.name, mail.raw)
            warm_index(dovecot, account.name, account.password)
            # the engine reads by UID, and a Maildir delivery does not keep the order files were written in
            in_server_order = order_on_server(
                LOOPBACK, dovecot.ports["imap"], account.name, account.password, in_server_order
            )
            print(f"{len(in_server_order)} threaded messages delivered in {time.perf_counter() - started:.1f} s")

            crm = {root.activity_id: root.message_id for root in roots}
            if args.tracking == "all":
                tracked = {mail.message_id for mail in in_server_order} | set(crm.values())
            else:
                tracked = tracked_under_replies(mailbox.mails, crm)
            expected = {
                m: e
                for m, e in expected_correlations(mailbox.mails, tracked, crm).items()
                if m in tracked  # what is not tracked has no activity
            }
            positions = {mail.message_id: n for n, mail in enumerate(in_server_order)}
            by_in_reply_to = [m for m, e in expected.items() if e is not None and e[0] == "in_reply_to"]
            in_order = [
                m for m, e in expected.items() if e is None or e[1] not in positions or positions[e[1]] < positions[m]
            ]
            # replies to tracked mail that reached the server before their parent: only the follow-up joins them
            parents = {m: wanted[1] for m, wanted in expected.items() if wanted is not None}
            early = [m for m in by_in_reply_to if positions.get(parents[m], -1) > positions[m]]
            print(
                f"tracking {args.tracking}: {len(expected)} tracked, {len(by_in_reply_to)} replies to tracked mail "
                f"by In-Reply-To, {len(expected) - len(in_order)} reaching the server before what they correlate to"
            )
            for batch_size in (int(b) for b in args.batch_sizes.split(",")):
                db = f"sqlite:///{work / f'batch-{batch_size}.sqlite3'}"
                set_up_store(db, dovecot, tls.ca_cert, account.name, account.password, account.address)
                admin(db, "user", "tracking", account.address, args.tracking)
                assert [r.activity_id for r in add_crm_roots(db, len(roots))] == list(crm)
                result = asyncio.run(back_to_back(db, len(in_server_order), False, batch_size))
                found = correlations(db)
                right = sum(1 for m in by_in_reply_to if found.get(m) == expected[m])
                exact = sum(1 for m, e in expected.items() if found.get(m, "missing") == e)
                exact_in_order = sum(1 for m in in_order if found.get(m, "missing") == expected[m])
                wrongly_tracked = len(set(found) - set(expected))
                for m in [m for m, e in expected.items() if found.get(m, "missing") != e][: args.show]:
                    print(f"   {m}: {found.get(m, 'missing')}, the oracle says {expected[m]}")
                print(f"\nbatches of {batch_size}: {len(found)} activities in {result['wall']:.1f} s")
                print(
                    f"   replies correlated by In-Reply-To  {right:6d} of {len(by_in_reply_to):6d}  "
                    f"{100 * right / max(1, len(by_in_reply_to)):6.2f} %   (aim >= 99 %)"
                )

                def batch_of(message_id: str, size: int = batch_size) -> tuple[int, int]:
                    """Which batch the engine reads a mail in: cycles of 500, batches of ``size`` within."""
                    return positions[message_id] // 500, positions[message_id] % 500 // size

                later = [m for m in early if batch_of(parents[m]) != batch_of(m)]  # the parent comes in a later batch
                joined = sum(1 for m in later if found.get(m) == expected[m])
                print(
                    f"     before their parent's batch      {joined:6d} of {len(later):6d}  joined it when it came "
                    f"(without that: {100 * (right - joined) / max(1, len(by_in_reply_to)):.2f} %)"
                )
                print(
                    f"   exactly as the oracle              {exact:6d} of {len(expected):6d}  "
                    f"{100 * exact / max(1, len(expected)):6.2f} %"
                )
                print(
                    f"     of those after their target      {exact_in_order:6d} of {len(in_order):6d}  "
                    f"{100 * exact_in_order / max(1, len(in_order)):6.2f} %"
                )
                print(f"   tracked but should not be          {wrongly_tracked:6d}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(ca_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
