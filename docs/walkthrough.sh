#!/usr/bin/env bash
# Every route of the API, top to bottom, against `npm run dev`. Run it from the repository with
# `bash docs/walkthrough.sh` while `npm run dev` runs (or `npm run docs:walkthrough`, which starts
# one on free ports and stops it). Needs curl and jq. docs/api.md shows exactly this file.
set -euo pipefail

API=${API:-http://127.0.0.1:8787}          # npm run dev prints it: [dev] app: ...
MAILBOX=${MAILBOX:-http://127.0.0.1:8025/}  # and its local mailbox: [dev] mailbox: ...
RUN=$(date +%s)                             # new emails each run, so it runs again and again
ADA=ada.$RUN@example.com
GRACE=grace.$RUN@example.com
ROOT=root.$RUN@example.com

# The token of the newest link of a kind (verify-email or reset-password) mailed to an address,
# from the local mailbox's page, which lists every email the app wrote, newest first.
mail_token() {
  curl -sS --fail-with-body "$MAILBOX" |
    grep -o -e '<dd class="to">[^<]*' -e "$1?token=[A-Za-z0-9_-]*" |
    awk -v to="<dd class=\"to\">$2" -v link="$1?token=" '
      /^<dd/ { mine = ($0 == to) }
      mine && !found && index($0, link) == 1 { print substr($0, length(link) + 1); found = 1 }'
}

# --- status --------------------------------------------------------------------------------------
curl -sS --fail-with-body $API/ | jq .
curl -sS --fail-with-body $API/health | jq .

# --- register: Ada, and Grace through the old service's path -------------------------------------
curl -sS --fail-with-body $API/v1/users -H 'content-type: application/json' \
  -d "{\"name\":\"Ada Lovelace\",\"email\":\"$ADA\",\"password\":\"Correct-Horse-9\"}" | jq .
USER_ID=$(curl -sS --fail-with-body $API/api/users/register -H 'content-type: application/json' \
  -d "{\"name\":\"Grace Hopper\",\"email\":\"$GRACE\",\"password\":\"Cobol-Rules-59\"}" |
  jq -er .data.userId)

# --- log in: three ways, three sessions ----------------------------------------------------------
LOGIN=$(curl -sS --fail-with-body $API/v1/users/login -H 'content-type: application/json' \
  -d "{\"email\":\"$ADA\",\"password\":\"Correct-Horse-9\"}")
TOKEN=$(jq -er .data.token <<<"$LOGIN")
REFRESH=$(jq -er .data.refreshToken <<<"$LOGIN")
curl -sS --fail-with-body $API/api/users/login -H 'content-type: application/json' \
  -d "{\"email\":\"$ADA\",\"password\":\"Correct-Horse-9\"}" | jq .data.user
# OAuth2 password grant (Swagger UI's Authorize button): the OAuth2 shape, no envelope
curl -sS --fail-with-body $API/v1/auth/token \
  --data-urlencode grant_type=password --data-urlencode "username=$ADA" \
  --data-urlencode password=Correct-Horse-9 | jq .token_type

# --- verify the email: ask for the link again, then post its token -------------------------------
curl -sS --fail-with-body -o /dev/null -w '%{http_code}\n' -X POST \
  $API/v1/users/me/verification-email -H "authorization: Bearer $TOKEN"
curl -sS --fail-with-body $API/v1/auth/verify-email -H 'content-type: application/json' \
  -d "{\"token\":\"$(mail_token verify-email "$ADA")\"}" | jq .data.emailVerified

# --- me ------------------------------------------------------------------------------------------
curl -sS --fail-with-body $API/v1/users/me -H "authorization: Bearer $TOKEN" | jq .
curl -sS --fail-with-body $API/api/users/me -H "authorization: Bearer $TOKEN" | jq .data.email
curl -sS --fail-with-body -X PATCH $API/v1/users/me -H "authorization: Bearer $TOKEN" \
  -H 'content-type: application/json' -d '{"name":"Ada King"}' | jq .data.name
# a new email needs the current password, and is unverified until its new link is followed
ADA=ada.king.$RUN@example.com
curl -sS --fail-with-body -X PUT $API/v1/users/me -H "authorization: Bearer $TOKEN" \
  -H 'content-type: application/json' \
  -d "{\"email\":\"$ADA\",\"currentPassword\":\"Correct-Horse-9\"}" | jq .data

# --- sessions: one per login; list them, end another one -----------------------------------------
curl -sS --fail-with-body $API/v1/auth/sessions -H "authorization: Bearer $TOKEN" | jq .
SESSION_ID=$(curl -sS --fail-with-body $API/v1/auth/sessions -H "authorization: Bearer $TOKEN" |
  jq -er '[.data.items[] | select(.current | not)][0].sessionId')
curl -sS --fail-with-body -o /dev/null -w '%{http_code}\n' -X DELETE \
  $API/v1/auth/sessions/$SESSION_ID -H "authorization: Bearer $TOKEN"

# --- refresh: spend the refresh token for a new pair (the spent one must never be sent again) ----
PAIR=$(curl -sS --fail-with-body $API/v1/auth/refresh -H 'content-type: application/json' \
  -d "{\"refreshToken\":\"$REFRESH\"}")
TOKEN=$(jq -er .data.token <<<"$PAIR")
REFRESH=$(jq -er .data.refreshToken <<<"$PAIR")

# --- log out: every other session, then this one -------------------------------------------------
SPARE=$(curl -sS --fail-with-body $API/v1/users/login -H 'content-type: application/json' \
  -d "{\"email\":\"$ADA\",\"password\":\"Correct-Horse-9\"}" | jq -er .data.refreshToken)
curl -sS --fail-with-body -o /dev/null -w '%{http_code}\n' $API/v1/auth/logout \
  -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"scope":"others"}'
# this one ({"scope":"all"} would end both steps' sessions at once)
curl -sS --fail-with-body -o /dev/null -w '%{http_code}\n' -X POST $API/v1/auth/logout \
  -H "authorization: Bearer $TOKEN"
# every token of those sessions is refused at once (401), however long it had left
test "$(curl -sS -o /dev/null -w '%{http_code}' $API/v1/auth/refresh \
  -H 'content-type: application/json' -d "{\"refreshToken\":\"$SPARE\"}")" = 401
test "$(curl -sS -o /dev/null -w '%{http_code}' $API/v1/auth/refresh \
  -H 'content-type: application/json' -d "{\"refreshToken\":\"$REFRESH\"}")" = 401
test "$(curl -sS -o /dev/null -w '%{http_code}' $API/v1/users/me \
  -H "authorization: Bearer $TOKEN")" = 401

# --- change the password: every session ends, this one too, so log in again ----------------------
TOKEN=$(curl -sS --fail-with-body $API/v1/users/login -H 'content-type: application/json' \
  -d "{\"email\":\"$ADA\",\"password\":\"Correct-Horse-9\"}" | jq -er .data.token)
curl -sS --fail-with-body -o /dev/null -w '%{http_code}\n' $API/v1/users/me/password \
  -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \
  -d '{"currentPassword":"Correct-Horse-9","newPassword":"Battery-Staple-7"}'

# --- a forgotten password: ask for a link, set a new password with its token ---------------------
curl -sS --fail-with-body -o /dev/null -w '%{http_code}\n' $API/v1/auth/password-reset \
  -H 'content-type: application/json' -d "{\"email\":\"$ADA\"}"
curl -sS --fail-with-body -o /dev/null -w '%{http_code}\n' $API/v1/auth/password-reset/confirm \
  -H 'content-type: application/json' \
  -d "{\"token\":\"$(mail_token reset-password "$ADA")\",\"newPassword\":\"New-Horse-10\"}"
TOKEN=$(curl -sS --fail-with-body $API/v1/users/login -H 'content-type: application/json' \
  -d "{\"email\":\"$ADA\",\"password\":\"New-Horse-10\"}" | jq -er .data.token)

# --- the first admin -----------------------------------------------------------------------------
curl -sS --fail-with-body $API/v1/users -H 'content-type: application/json' \
  -d "{\"name\":\"Root\",\"email\":\"$ROOT\",\"password\":\"Admin-Horse-11\"}" | jq .data.role
# npm run admin reaches the database npm run dev uses, while it runs (docs/administration.md).
npm run admin -- promote "$ROOT"
ADMIN_TOKEN=$(curl -sS --fail-with-body $API/v1/users/login -H 'content-type: application/json' \
  -d "{\"email\":\"$ROOT\",\"password\":\"Admin-Horse-11\"}" | jq -er .data.token)

# --- admin: list, page, search, read, change and delete users ------------------------------------
NEXT_CURSOR=$(curl -sS --fail-with-body "$API/v1/users?limit=2" \
  -H "authorization: Bearer $ADMIN_TOKEN" | jq -er .data.nextCursor)
curl -sS --fail-with-body "$API/v1/users?limit=2&cursor=$NEXT_CURSOR" \
  -H "authorization: Bearer $ADMIN_TOKEN" | jq '.data.items[].email'
curl -sS --fail-with-body "$API/v1/users?q=grace.$RUN" -H "authorization: Bearer $ADMIN_TOKEN" |
  jq '.data.items[].email'
curl -sS --fail-with-body $API/v1/users/$USER_ID -H "authorization: Bearer $ADMIN_TOKEN" | jq .
curl -sS --fail-with-body -X PATCH $API/v1/users/$USER_ID -H "authorization: Bearer $ADMIN_TOKEN" \
  -H 'content-type: application/json' -d '{"role":"admin"}' | jq .data.role
curl -sS --fail-with-body -X PUT $API/v1/users/$USER_ID -H "authorization: Bearer $ADMIN_TOKEN" \
  -H 'content-type: application/json' -d '{"name":"Grace Brewster Hopper"}' | jq .data.name
curl -sS --fail-with-body -o /dev/null -w '%{http_code}\n' -X DELETE $API/v1/users/$USER_ID \
  -H "authorization: Bearer $ADMIN_TOKEN"

# --- Ada deletes her own account (her current password again) ------------------------------------
curl -sS --fail-with-body -o /dev/null -w '%{http_code}\n' -X DELETE $API/v1/users/me \
  -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \
  -d '{"currentPassword":"New-Horse-10"}'

# --- documentation and the browser app -----------------------------------------------------------
curl -sS --fail-with-body $API/openapi.json | jq .info
curl -sS --fail-with-body -o /dev/null -w '%{http_code}\n' $API/docs   # Swagger UI: open it
curl -sS --fail-with-body -o /dev/null -w '%{http_code}\n' $API/app/   # the browser app
