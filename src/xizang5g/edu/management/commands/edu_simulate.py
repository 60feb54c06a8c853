"""`xizang5g edu_simulate`: the demo schools' course platforms sending xAPI over HTTP."""

import base64
import json
import random
import time
import urllib.error
import urllib.request

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from xizang5g.edu import simulator
from xizang5g.edu.demo import REMOTE_PAIRS, SCHOOLS, keys_file, pupils


class Command(BaseCommand):
    help = "Send realistic xAPI statements of the demo schools to the LRS over HTTP."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/xapi")
        parser.add_argument("--every", type=float, default=5.0, help="seconds between rounds")
        parser.add_argument("--rounds", type=int, default=0, help="0: run until stopped")

    def handle(self, *args, url, every, rounds, **options):
        path = keys_file()
        if not path.exists():
            raise CommandError(f"{path} is missing: run `xizang5g edu_demo` first.")
        keys = json.loads(path.read_text())
        rng = random.Random()
        done = 0
        while not rounds or done < rounds:
            for code, _name, _adcode, _alt, count in SCHOOLS:
                if code not in keys:
                    continue
                people = pupils(code, count)
                klass, who = rng.choice(people)
                batch = simulator.course_session(code, klass, who, timezone.now(), rng)
                for sending, receiving in REMOTE_PAIRS:
                    if receiving == code and rng.random() < 0.05:
                        batch += simulator.remote_class(
                            sending,
                            receiving,
                            "7-1",
                            [w for k, w in people if k == "7-1"],
                            timezone.now(),
                            rng,
                        )
                token = base64.b64encode(
                    f"{keys[code]['key']}:{keys[code]['secret']}".encode()
                ).decode()
                request = urllib.request.Request(
                    f"{url}/statements",
                    data=json.dumps(batch).encode(),
                    method="POST",
                    headers={
                        "Authorization": f"Basic {token}",
                        "X-Experience-API-Version": "1.0.3",
                        "Content-Type": "application/json",
                    },
                )
                try:
                    with urllib.request.urlopen(request, timeout=10) as response:
                        response.read()
                except urllib.error.HTTPError as error:
                    self.stderr.write(f"{code}: {error.code} {error.read()[:200]!r}")
                except OSError as error:
                    self.stderr.write(f"LRS not reachable yet ({error}); retrying")
            done += 1
            time.sleep(every)
