"""A web app that signs its users in with ciam: the authorization code flow with PKCE, state and
nonce (Authlib), a page showing the signed-in user's claims, and logout (RP-initiated)."""

import json
import os
import secrets
from urllib.parse import urlencode, urlsplit

from authlib.integrations.flask_client import OAuth
from flask import Flask, redirect, render_template_string, session

ISSUER = os.environ.get("CIAM_ISSUER", "http://localhost:8080/t/acme")
APP_URL = os.environ.get("APP_URL", "http://localhost:5000")
CLIENT_SECRET = os.environ.get("CLIENT_SECRET")
if not CLIENT_SECRET:
    raise SystemExit("set CLIENT_SECRET (see README.md)")

app = Flask(__name__)
# Signs the session cookie; set SECRET_KEY to keep sessions across restarts.
app.secret_key = os.environ.get("SECRET_KEY") or secrets.token_hex(32)
oauth = OAuth(app)
oauth.register(
    "ciam",
    client_id=os.environ.get("CLIENT_ID", "python-web"),
    client_secret=CLIENT_SECRET,
    server_metadata_url=f"{ISSUER}/.well-known/openid-configuration",
    client_kwargs={"scope": "openid profile email", "code_challenge_method": "S256"},
)

PAGE = """<!doctype html><html lang="en"><meta charset="utf-8"><title>Example app</title><body>
{% if user %}<h1>Signed in as {{ user.name or user.email or user.sub }}</h1>
<pre id="claims">{{ claims }}</pre><p><a href="/logout">Sign out</a></p>
{% else %}<h1>Example app</h1><p><a href="/login">Sign in</a></p>{% endif %}</body></html>"""


@app.route("/")
def home():
    user = session.get("user")
    return render_template_string(PAGE, user=user, claims=json.dumps(user, indent=2))


@app.route("/login")
def login():
    return oauth.ciam.authorize_redirect(f"{APP_URL}/callback")


@app.route("/callback")
def callback():
    # Checks state, redeems the code with the PKCE verifier, validates the ID token and nonce.
    token = oauth.ciam.authorize_access_token()
    session["user"] = {**token["userinfo"], **oauth.ciam.userinfo(token=token)}
    session["id_token"] = token["id_token"]
    return redirect("/")


@app.route("/logout")
def logout():
    id_token = session.get("id_token")
    session.clear()
    if not id_token:
        return redirect("/")
    end_session = oauth.ciam.load_server_metadata()["end_session_endpoint"]
    query = urlencode({"id_token_hint": id_token, "post_logout_redirect_uri": f"{APP_URL}/"})
    return redirect(f"{end_session}?{query}")


if __name__ == "__main__":
    url = urlsplit(APP_URL)
    app.run(host=url.hostname, port=url.port or 80)
