#!/usr/bin/env python3
"""Writes seed inputs for the fuzz targets into fuzz/corpus/<target>/ (file names start with `seed-`).

Seeds come from real material:
  * the built-in sandbox: every operation of every provider sent for real over loopback (signed by
    `callback-desk-cli preview`), with injected faults, wrong credentials and a skewed clock, and the
    callbacks the sandbox re-delivers after a resend (captured by a local receiver);
  * the provider reference's documented answers and test vectors (copied here);
  * tests/fixtures (keys, certificate, vectors) and account files built from them.

Usage: fuzz/make_seeds.py [path/to/callback-desk-cli]   (default: target/debug/callback-desk-cli)
"""
import base64
import http.client
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
CLI = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target", "debug", "callback-desk-cli")


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def response_text(status, headers, body):
    """The fuzz targets' input format: status line, `Name: value` lines, empty line, raw body."""
    if isinstance(body, str):
        body = body.encode()
    head = "".join(f"{k}: {v}\n" for k, v in headers)
    return f"{status}\n{head}\n".encode() + body


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as f:
        return f.read()


# ---- a receiver for the callbacks the sandbox re-delivers -------------------------------------------------
class Receiver(http.server.BaseHTTPRequestHandler):
    seen = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        Receiver.seen.append((list(self.headers.items()), body))
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"success")

    def log_message(self, *args):
        pass


def send(req):
    """Sends a previewed request byte for byte; returns (status, headers, raw body)."""
    url = urllib.parse.urlsplit(req["url"])
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=15)
    path = url.path + ("?" + url.query if url.query else "")
    body = req["body"].encode() if req["body"] is not None else None
    conn.request(req["method"], path, body=body, headers=req["headers"])
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, r.getheaders(), data


def main():
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    cb_url = f"http://127.0.0.1:{receiver.server_address[1]}/callbacks"
    sb = subprocess.Popen([CLI, "sandbox", "--no-limits", "--callback-url", cb_url],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        accounts = json.loads(sb.stdout.readline())
        sandbox(accounts)
    finally:
        sb.terminate()
        sb.wait(timeout=10)
        receiver.shutdown()
    reference()
    account_files(accounts)
    keys_and_certs()


def sandbox(accounts):
    base = accounts["ceffu"]["base_url"]
    tmp = tempfile.mkdtemp(prefix="fuzz-seeds-")

    def account_file(key, **changes):
        acc = dict(accounts[key], **changes)
        path = os.path.join(tmp, f"{key}-{len(os.listdir(tmp))}.json")
        with open(path, "w") as f:
            json.dump(acc, f)
        return path

    def fault(provider, **kind):
        conn = http.client.HTTPConnection("127.0.0.1", urllib.parse.urlsplit(base).port, timeout=5)
        conn.request("POST", "/__sandbox/faults", body=json.dumps(dict(provider=provider, **kind)),
                     headers={"Content-Type": "application/json"})
        conn.getresponse().read()
        conn.close()

    def call(target, name, acc_path, op, params, at_ms=None, token=None):
        at_ms = at_ms if at_ms is not None else int(time.time() * 1000)
        cmd = [CLI, "preview", "--account", acc_path, "--operation", op, "--params", json.dumps(params),
               "--at", str(at_ms)]
        if token:
            cmd += ["--token", token]
        req = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
        status, headers, body = send(req)
        write(target, name, response_text(status, headers, body))
        return status, body

    now_s = int(time.time())
    # CYBAVO: every operation, found and not found, errors and faults.
    cy = account_file("cybavo")
    cy_ops = [
        ("resend-withdrawal", "resend-withdrawal-callbacks", {"notification_id": 90000000002}),
        ("resend-deposit-all", "resend-deposit-callbacks", {"notification_id": 0}),
        ("query", "query-callbacks", {"ids": [90000000001, 90000000002, 90000000003, 1]}),
        ("list", "list-callbacks", {"from_time": now_s - 7 * 86400, "to_time": now_s, "type": -1}),
        ("list-withdrawals", "list-callbacks", {"type": 2}),
        ("lookup-deposit", "lookup-deposit",
         {"txid": "7d1a3c9e5b2f4a6c8e0d1f3b5a7c9e1d3f5b7a9c1e3d5f7b9a1c3e5d7f9b1a3c", "vout_index": 1}),
        ("lookup-deposit-missing", "lookup-deposit", {"txid": "00", "vout_index": 0}),
        ("lookup-withdrawal", "lookup-withdrawal", {"order_id": "WD-55743-0001"}),
        ("lookup-withdrawal-missing", "lookup-withdrawal", {"order_id": "nope"}),
    ]
    for name, op, params in cy_ops:
        call("cybavo_response", name, cy, op, params)
    call("cybavo_response", "wallet2-query", account_file("cybavo", wallet_id=56788),
         "query-callbacks", {"ids": list(range(90000000101, 90000000111))})
    call("cybavo_response", "bad-secret", account_file("cybavo", api_secret="wrong-secret"), "query-callbacks",
         {"ids": [1]})
    call("cybavo_response", "bad-code", account_file("cybavo", api_code="wrong-code"), "query-callbacks", {"ids": [1]})
    call("cybavo_response", "clock-skew", cy, "query-callbacks", {"ids": [1]}, at_ms=int(time.time() * 1000) - 3_600_000)
    call("cybavo_response", "bad-wallet", account_file("cybavo", wallet_id=1), "query-callbacks", {"ids": [1]})
    cy_faults = [("status-500", dict(kind="status", status=500)), ("status-502", dict(kind="status", status=502)),
                 ("status-429", dict(kind="status", status=429)), ("rate-limit", dict(kind="rate_limit")),
                 ("malformed", dict(kind="malformed_body")), ("wrong-signature", dict(kind="wrong_signature"))]
    for name, kind in cy_faults:
        fault("cybavo", **kind)
        call("cybavo_response", "fault-" + name, cy, "query-callbacks", {"ids": [90000000001]})

    # Ceffu.
    ce = account_file("ceffu")
    ce_params = {"webhookId": "1721442311151521794", "eventType": "2",
                 "resendFromDateTime": int(time.time() * 1000) - 86_400_000}
    call("ceffu_response", "resend", ce, "resend-webhooks", ce_params)
    call("ceffu_response", "unknown-webhook", ce, "resend-webhooks", dict(ce_params, webhookId="1"))
    call("ceffu_response", "bad-key", account_file("ceffu", private_key=fixture("ceffu_unregistered_key.pem")),
         "resend-webhooks", ce_params)
    call("ceffu_response", "bad-apikey", account_file("ceffu", api_key="nope"), "resend-webhooks", ce_params)
    call("ceffu_response", "clock-skew", ce, "resend-webhooks", ce_params, at_ms=int(time.time() * 1000) - 3_600_000)
    for name, kind in cy_faults:
        fault("ceffu", **kind)
        call("ceffu_response", "fault-" + name, ce, "resend-webhooks", ce_params)

    # Avista: token, resend (found, by each identifier kind, missing), bad credentials, faults.
    av = account_file("avista")
    status, body = call("avista_response", "token", av, "get-token", {})
    token = json.loads(body)["access_token"]
    call("avista_response", "token-bad-secret", account_file("avista", client_secret="wrong"), "get-token", {})
    call("avista_response", "resend", av, "resend-webhook", {"transaction_identifier": "PAG-2024-0001"}, token=token)
    call("avista_response", "resend-missing", av, "resend-webhook", {"transaction_identifier": "x"}, token=token)
    call("avista_response", "resend-bad-token", av, "resend-webhook", {"transaction_identifier": "1"}, token="nope")
    call("avista_response", "resend-dead-destination", av, "resend-webhook",
         {"transaction_identifier": "PAG-2024-0001", "url": "https://127.0.0.1:9/x"}, token=token)
    for name, kind in cy_faults + [("status-504", dict(kind="status", status=504))]:
        fault("avista", **kind)
        call("avista_response", "fault-" + name, av, "resend-webhook",
             {"transaction_identifier": "PAG-2024-0001"}, token=token)

    # CCPayment v1 and v2 (and the v1-only merchant on v2).
    for key, start, end in [("ccpayment-v1", "start_timestamp", "end_timestamp"),
                            ("ccpayment-v2", "startTimestamp", "endTimestamp")]:
        cc = account_file(key)
        p = {start: now_s - 3000, end: now_s - 100}
        call("ccpayment_response", key + "-resend", cc, "resend-webhooks", p)
        call("ccpayment_response", key + "-bad-secret", account_file(key, app_secret="wrong"), "resend-webhooks", p)
        call("ccpayment_response", key + "-bad-app", account_file(key, app_id="1"), "resend-webhooks", p)
        call("ccpayment_response", key + "-clock-skew", cc, "resend-webhooks", p,
             at_ms=int(time.time() * 1000) - 3_600_000)
        for name, kind in cy_faults:
            fault(key, **kind)
            call("ccpayment_response", f"{key}-fault-{name}", cc, "resend-webhooks", p)
    call("ccpayment_response", "v1-only-merchant", account_file(
        "ccpayment-v2", app_id="202312011022334455667788990011223", app_secret="sbxLegacySecret4c8e1a3d6f9b2e5a7"),
        "resend-webhooks", {"startTimestamp": now_s - 3000})

    # The callbacks re-delivered after the resends above.
    deadline = time.time() + 10
    while len(Receiver.seen) < 4 and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(1)
    for i, (headers, body) in enumerate(Receiver.seen[:40]):
        keep = [(k, v) for k, v in headers if k.lower() not in ("host", "content-length", "connection")]
        write("callback_verify", f"delivered-{i:02}", response_text(200, keep, body))


def reference():
    """Documented answers from the provider reference (with its test vectors' signatures)."""
    cy = "cybavo_response"
    write(cy, "ref-count", response_text(200, [("X-CHECKSUM", "A7RbYeXHEOHwzJIUmBMJpjYS4DJNfSrX-x7Ro3DeRo0=")],
                                         '{"count":3}'))
    sample = ('{"notifications":[{"type":3,"serial":90000000139,"order_id":"","currency":"ADA","txid":"35c283a6f1",'
              '"block_height":1003304,"tindex":0,"vout_index":0,"amount":"24447","fees":"0","memo":"",'
              '"broadcast_at":1584088556,"chain_at":1584088556,"from_address":"","to_address":"37btjr","wallet_id":56788,'
              '"state":3,"confirm_blocks":2,"processing_state":1,"addon":{"fee_decimal":6},"decimal":6}]}')
    write(cy, "ref-get-by-id", response_text(200, [("X-CHECKSUM", "x")], sample))
    write(cy, "ref-lookup", response_text(200, [], '{"notification":{"type":2,"state":5,"processing_state":-1,'
                                                   '"amount":"1500000","decimal":6,"fees":"2100",'
                                                   '"addon":{"fee_decimal":8,"err_reason":"nonce too low"}}}'))
    errors = [(403, '{"error":"Forbidden. Call too frequently (30 calls/minute)"}'),
              (403, '{"error":"Forbidden. Invalid timestamp"}'), (403, '{"error":"Forbidden. Invalid checksum"}'),
              (403, '{"error":"Forbidden. Checksum unmatch"}'), (403, '{"error":"Forbidden. Header not found"}'),
              (403, '{"error":"Invalid API code for wallet 55743"}'),
              (403, '{"error":"API Secret not valid","error_code":385}'),
              (400, '{"error":"Invalid parameter","error_code":112,"message":"ids"}'),
              (404, '{"error":"Wallet ID invalid","error_code":304}'), (403, '{"error":"Forbidden. Invalid ID"}')]
    for i, (s, b) in enumerate(errors):
        write(cy, f"ref-error-{i}", response_text(s, [("Date", "Tue, 14 Nov 2023 22:13:20 GMT")], b))

    ce = "ceffu_response"
    write(ce, "ref-success", response_text(200, [("x-request-id", "req-123")],
                                           '{"data": true, "code": "000000", "message": "Success"}'))
    for c in ["G20001", "G20002", "G20005", "G20006", "G20007", "G20008", "G20009", "G20010", "G20011", "G20012",
              "G20013", "G20014", "G20015", "G20016", "G20030"]:
        write(ce, "ref-" + c, response_text(200, [("x-request-id", "r"), ("Date", "Tue, 14 Nov 2023 22:13:20 GMT")],
                                            f'{{"data":null,"code":"{c}","message":"msg"}}'))
    for s in [400, 401, 403, 404, 429, 500]:
        write(ce, f"ref-status-{s}", response_text(s, [], "Too Many Requests" if s == 429 else ""))

    av = "avista_response"
    write(av, "ref-token", response_text(201, [], '{"access_token":"eyJhbGciOiJIUzI1NiJ9.e30.x","token_type":"Bearer",'
                                                  '"expires_in":1800}'))
    write(av, "ref-resend", response_text(200, [], '{"message":"Webhook resent successfully","webhookLogId":12345,'
                                                   '"sentAt":"2024-01-15T10:30:00.000Z","statusCode":200}'))
    write(av, "ref-502", response_text(502, [], '{"message":"x","statusCode":502,"destinationStatusCode":404}'))
    write(av, "ref-400", response_text(400, [], '{"message":["url must be a URL address"],"error":"Bad Request",'
                                                '"statusCode":400}'))
    write(av, "ref-504", response_text(504, [], '{"message":"Destination timed out","statusCode":504}'))

    cc = "ccpayment_response"
    write(cc, "ref-v1-success", response_text(200, [("Appid", "202302010636261620672405236006912"),
                                                    ("Timestamp", "1700000001"), ("Sign", "0" * 64)],
                                              '{"code":10000,"msg":"success","data":{"resend_count":"12345"}}'))
    write(cc, "ref-v2-success", response_text(200, [], '{"code":10000,"msg":"Success","data":{"resendCount":7}}'))
    for c, m in [(10001, "Failed"), (11000, "InvalidArgument"), (11001, "HeaderInvalid"), (11002, "Internal"),
                 (11003, "NotFound"), (11004, "Rate limit exceeded (30 calls/minute)"), (11005, "SignatureFailed"),
                 (11006, "Request expired"), (11007, "RepeatedSubmit"), (11008, "QueryRangeTooLarge"),
                 (11009, "Daily limit (25 calls/day)"), (11010, "QueryMax100"), (11013, "NotSupportedV2"),
                 (11014, "MaliciousRequest"), (12002, "IPNotInWhitelist"), (12003, "MerchantDisabled"),
                 (224066, "Service error, pleaser try again")]:
        write(cc, f"ref-{c}", response_text(200, [("Date", "Tue, 14 Nov 2023 22:13:20 GMT")],
                                            f'{{"code":{c},"msg":"{m}","data":null}}'))

    vf = "callback_verify"
    write(vf, "ref-cybavo", response_text(200, [("X-CHECKSUM", "A7RbYeXHEOHwzJIUmBMJpjYS4DJNfSrX-x7Ro3DeRo0=")],
                                          '{"count":3}'))
    v = json.loads(fixture("vectors.json"))["ccpayment"]
    for ver in ["v1", "v2"]:
        write(vf, f"ref-ccpayment-{ver}", response_text(
            200, [("Appid", v["app_id"]), ("Timestamp", str(v["timestamp"])), ("Sign", v[ver]["sign"])], v[ver]["body"]))


def account_files(accounts):
    t = "account_file"
    for key, acc in accounts.items():
        write(t, key, json.dumps(acc, indent=1))
    key_pem = fixture("ceffu_test_key.pem")
    der_b64 = "".join(l for l in key_pem.splitlines() if not l.startswith("-----"))
    cert = fixture("avista_test_cert.pem")
    files = {
        "cybavo-production": {"provider": "cybavo", "base_url": "https://sofa.example.com", "wallet_id": "55743",
                              "api_code": "TESTAPICODE", "api_secret": "TESTSECRET0123456789abcdef"},
        "ceffu-pem": {"provider": "ceffu", "base_url": "https://open-api.ceffu.com", "api_key": "TESTAPIKEY",
                      "private_key": key_pem},
        "ceffu-der": {"provider": "ceffu", "api_key": "k", "private_key": der_b64},
        "avista-key": {"provider": "avista", "base_url": "https://api.avista.global", "client_id": "account-93-550e8400",
                       "client_secret": "s", "client_cert_pem": cert,
                       "client_key_pem": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"},
        "ccpayment-v2-production": {"provider": "ccpayment", "base_url": "https://ccpayment.com/ccpayment/v2",
                                    "api_version": "v2", "app_id": 202302010636261620672405236006912,
                                    "app_secret": "TESTAPPSECRET1234567890abcdef"},
        "bad-wallet": {"provider": "cybavo", "base_url": "http://example.com", "wallet_id": -1},
        "unknown-provider": {"provider": "nope"},
        "unknown-field": {"provider": "ccpayment", "base_url": "http://[::1]:1", "api_version": "v3", "extra": 1},
    }
    for name, acc in files.items():
        write(t, name, json.dumps(acc))


def keys_and_certs():
    t = "keys_and_certs"
    key_pem = fixture("ceffu_test_key.pem")
    write(t, "ceffu-pkcs8-pem", key_pem)
    write(t, "ceffu-base64-der", "".join(l for l in key_pem.splitlines() if not l.startswith("-----")))
    write(t, "ceffu-key-and-public", key_pem + fixture("ceffu_test_pub.pem"))
    write(t, "ceffu-public-only", fixture("ceffu_test_pub.pem"))
    write(t, "avista-cert", fixture("avista_test_cert.pem"))
    try:
        pkcs1 = subprocess.run(["openssl", "rsa", "-traditional"], input=key_pem, capture_output=True, text=True,
                               check=True).stdout
        write(t, "ceffu-pkcs1-pem", pkcs1)
    except (OSError, subprocess.CalledProcessError):
        pass
    # A small (512-bit) key keeps the signing round trip cheap for the fuzzer to mutate.
    try:
        small = subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:512"],
                               capture_output=True, text=True, check=True).stdout
        write(t, "rsa-512-pkcs8-pem", small)
    except (OSError, subprocess.CalledProcessError):
        pass


if __name__ == "__main__":
    main()
