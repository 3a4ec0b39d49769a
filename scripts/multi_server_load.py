"""Sends a seeded mix of events to several Tally servers and checks that all of them answer exactly.

Used by scripts/multi-server-check.sh; standard library only.
"""
import argparse, concurrent.futures, json, random, subprocess, sys, time, urllib.request

def post(port, path, body=b""):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status

def get(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
        return response.read().decode()

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--ports", required=True)
    parser.add_argument("--late-port", type=int, required=True)
    parser.add_argument("--start-late", required=True)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    ports = [int(p) for p in args.ports.split(",")]
    now = int(time.time() * 1000)
    current = now - now % 3_600_000
    requests = []
    for _ in range(args.events):
        if rng.random() < 0.8:
            hour = current - rng.randint(1, 4) * 3_600_000 if rng.random() < 0.05 else current
            requests.append(("ad", hour + rng.randrange(3_600_000), f"user{rng.randrange(300)}", rng.random() < 0.5))
        else:
            requests.append(("watch", f"viewer{rng.randrange(20)}", f"movie{rng.randrange(6)}", rng.randint(1, 60)))

    def send(item):
        request, port = item
        if request[0] == "ad":
            _, ts, user, click = request
            status = post(port, f"/analytics?timestamp={ts}&user={user}&{'click' if click else 'impression'}")
            assert status == 204, status
        else:
            _, user, movie, seconds = request
            status = post(port, "/events", json.dumps({"user": user, "slug": movie, "at": seconds}).encode())
            assert status == 202, status

    half = len(requests) // 2
    started = time.time()
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        list(pool.map(send, [(r, rng.choice(ports)) for r in requests[:half]]))
        late = subprocess.Popen(args.start_late.split())
        for _ in range(100):
            try:
                get(args.late_port, "/health"); break
            except Exception:
                time.sleep(0.1)
        ports.append(args.late_port)
        list(pool.map(send, [(r, rng.choice(ports)) for r in requests[half:]]))
    elapsed = time.time() - started

    users, clicks, impressions, user_seconds, movie_seconds, viewers = {}, {}, {}, {}, {}, {}
    for request in requests:
        if request[0] == "ad":
            _, ts, user, click = request
            hour = ts - ts % 3_600_000
            users.setdefault(hour, set()).add(user)
            (clicks if click else impressions)[hour] = (clicks if click else impressions).get(hour, 0) + 1
        else:
            _, user, movie, seconds = request
            user_seconds[user] = user_seconds.get(user, 0) + seconds
            movie_seconds[movie] = movie_seconds.get(movie, 0) + seconds
            viewers.setdefault(movie, set()).add(user)
    mismatches = 0
    for port in ports:
        for hour, names in users.items():
            want = f"unique_users,{len(names)}\nclicks,{clicks.get(hour, 0)}\nimpressions,{impressions.get(hour, 0)}\n"
            got = get(port, f"/analytics?timestamp={hour + rng.randrange(3_600_000)}")
            if got != want:
                mismatches += 1; print(f"port {port} hour {hour}: got {got!r} want {want!r}", file=sys.stderr)
        for user, seconds in user_seconds.items():
            got = json.loads(get(port, f"/users/{user}/watch-time"))["watchTimeSeconds"]
            if got != seconds:
                mismatches += 1; print(f"port {port} user {user}: got {got} want {seconds}", file=sys.stderr)
        for movie, seconds in movie_seconds.items():
            body = json.loads(get(port, f"/movies/{movie}/watch-time"))
            if body["watchTimeSeconds"] != seconds or body["viewers"] != len(viewers[movie]):
                mismatches += 1; print(f"port {port} movie {movie}: got {body} want {seconds}/{len(viewers[movie])}", file=sys.stderr)
    late.terminate(); late.wait()
    checks = len(ports) * (len(users) + len(user_seconds) + len(movie_seconds))
    print(f"{len(requests)} events to {len(ports)} servers in {elapsed:.1f} s; {checks} answers checked, {mismatches} wrong")
    sys.exit(1 if mismatches else 0)

if __name__ == "__main__":
    main()
