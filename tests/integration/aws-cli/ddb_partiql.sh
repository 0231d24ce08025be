#!/usr/bin/env bash
# DynamoDB PartiQL through Debian's aws-cli v2 (2.9, AWS JSON 1.0, x-amz-crc32 checked):
# execute-statement (INSERT with literals and --parameters of several types, SELECT by key, by
# partition in sort-key order with ORDER BY DESC, a projection, --limit/--next-token paging,
# UPDATE with arithmetic and RETURNING, DELETE), batch-execute-statement (a per-statement
# DuplicateItem among good inserts, reads with and without an item), execute-transaction
# (all-or-nothing with CancellationReasons, reads, --client-request-token), and the errors as the
# CLI prints them with exit status 254.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

start_awslet --test-clock

jqr() { printf '%s' "$2" | jq -r "$1"; }
jqc() { printf '%s' "$2" | jq -cS "$1"; }
assert_eq() { [ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"; }
get_item() { awscli dynamodb get-item --table-name cli-pq --consistent-read --key "$1"; }

echo "== a table with pk (S) and sk (N)"
awscli dynamodb create-table --table-name cli-pq \
    --attribute-definitions AttributeName=pk,AttributeType=S AttributeName=sk,AttributeType=N \
    --key-schema AttributeName=pk,KeyType=HASH AttributeName=sk,KeyType=RANGE \
    --billing-mode PAY_PER_REQUEST >/dev/null
awscli dynamodb wait table-exists --table-name cli-pq

echo "== INSERT with literals of several types"
OUT=$(awscli dynamodb execute-statement --statement \
    "INSERT INTO \"cli-pq\" VALUE {'pk': 'a', 'sk': 1, 'name': 'it''s', 'n': 1.50, 'ok': true,
     'nothing': NULL, 'tags': <<'x', 'y'>>, 'm': {'k': [1, 'two']}}")
assert_eq "$(jqc '.Items // []' "$OUT")" '[]' "INSERT answers no items"
OUT=$(get_item '{"pk":{"S":"a"},"sk":{"N":"1"}}')
assert_eq "$(jqr .Item.name.S "$OUT")" "it's" "quoted quote"
assert_eq "$(jqr .Item.n.N "$OUT")" 1.5 "number normalized"
assert_eq "$(jqr .Item.ok.BOOL "$OUT")" true "boolean"
assert_eq "$(jqr .Item.nothing.NULL "$OUT")" true "null"
assert_eq "$(jqc '.Item.tags.SS | sort' "$OUT")" '["x","y"]' "string set"
assert_eq "$(jqc .Item.m "$OUT")" '{"M":{"k":{"L":[{"N":"1"},{"S":"two"}]}}}' "map of a list"

echo "== INSERT with --parameters (S, N, B, BOOL, NS)"
awscli dynamodb execute-statement \
    --statement "INSERT INTO \"cli-pq\" VALUE {'pk': ?, 'sk': ?, 'bin': ?, 'flag': ?, 'nums': ?}" \
    --parameters '[{"S":"a"},{"N":"2"},{"B":"AAEC"},{"BOOL":false},{"NS":["3","1"]}]' >/dev/null
OUT=$(get_item '{"pk":{"S":"a"},"sk":{"N":"2"}}')
assert_eq "$(jqr .Item.bin.B "$OUT")" AAEC "binary parameter"
assert_eq "$(jqr .Item.flag.BOOL "$OUT")" false "bool parameter"
assert_eq "$(jqc '.Item.nums.NS | sort' "$OUT")" '["1","3"]' "number set parameter"
# sk 3..7 in one batch (one CLI start instead of five)
STMTS=$(for i in 3 4 5 6 7; do
    printf '{"Statement":"INSERT INTO \\"cli-pq\\" VALUE {%s: %s, %s: ?}","Parameters":[{"N":"%s"}]}\n' \
        "'pk'" "'a'" "'sk'" "$i"
done | jq -s -c .)
OUT=$(awscli dynamodb batch-execute-statement --statements "$STMTS")
assert_eq "$(jqr '[.Responses[] | has("Error")] | any' "$OUT")" false "five inserts in a batch"

echo "== SELECT by key, by partition (sort-key order, ORDER BY DESC), a projection"
OUT=$(awscli dynamodb execute-statement --statement \
    "SELECT * FROM \"cli-pq\" WHERE pk = ? AND sk = ?" --parameters '[{"S":"a"},{"N":"1"}]')
assert_eq "$(jqr '.Items | length' "$OUT")" 1 "one item by key"
assert_eq "$(jqr '.Items[0].name.S' "$OUT")" "it's" "the item by key"
OUT=$(awscli dynamodb execute-statement --statement "SELECT sk FROM \"cli-pq\" WHERE pk = 'a'")
assert_eq "$(jqc '[.Items[].sk.N]' "$OUT")" '["1","2","3","4","5","6","7"]' "partition in order"
OUT=$(awscli dynamodb execute-statement --consistent-read --statement \
    "SELECT sk FROM \"cli-pq\" WHERE pk = 'a' AND sk BETWEEN 2 AND 5 ORDER BY sk DESC")
assert_eq "$(jqc '[.Items[].sk.N]' "$OUT")" '["5","4","3","2"]' "ORDER BY sk DESC"
OUT=$(awscli dynamodb execute-statement --statement \
    "SELECT pk, n FROM \"cli-pq\" WHERE n IS NOT MISSING")
assert_eq "$(jqc .Items "$OUT")" '[{"n":{"N":"1.5"},"pk":{"S":"a"}}]' "scan with a projection"

echo "== --limit and --next-token: every item once"
SEEN=""
TOKEN=""
PAGES=0
while :; do
    if [ -n "$TOKEN" ]; then
        OUT=$(awscli dynamodb execute-statement --limit 3 --next-token "$TOKEN" \
            --statement "SELECT sk FROM \"cli-pq\" WHERE pk = 'a'")
    else
        OUT=$(awscli dynamodb execute-statement --limit 3 \
            --statement "SELECT sk FROM \"cli-pq\" WHERE pk = 'a'")
    fi
    PAGES=$((PAGES + 1))
    [ "$(jqr '.Items | length' "$OUT")" -le 3 ] || fail "a page holds more than --limit 3"
    SEEN="$SEEN$(jqr '[.Items[].sk.N] | join(",")' "$OUT"),"
    TOKEN=$(jqr '.NextToken // ""' "$OUT")
    [ -n "$TOKEN" ] || break
    [ "$PAGES" -lt 20 ] || fail "paging never ends"
done
assert_eq "$(printf '%s' "$SEEN" | tr ',' '\n' | grep -v '^$' | tr '\n' ' ')" "1 2 3 4 5 6 7 " \
    "pages in order, each item once"
[ "$PAGES" -ge 3 ] || fail "7 items at --limit 3 took $PAGES pages"

echo "== UPDATE with arithmetic and RETURNING; DELETE"
OUT=$(awscli dynamodb execute-statement --statement \
    "UPDATE \"cli-pq\" SET n = n + 1 SET tags = set_add(tags, <<'z'>>) WHERE pk = 'a' AND sk = 1 RETURNING MODIFIED NEW *")
assert_eq "$(jqr '.Items[0].n.N' "$OUT")" 2.5 "RETURNING MODIFIED NEW: n"
assert_eq "$(jqc '.Items[0].tags.SS | sort' "$OUT")" '["x","y","z"]' "RETURNING MODIFIED NEW: set_add"
assert_eq "$(jqc '.Items[0] | keys' "$OUT")" '["n","tags"]' "only the modified attributes"
OUT=$(awscli dynamodb execute-statement --statement \
    "DELETE FROM \"cli-pq\" WHERE pk = 'a' AND sk = 7 RETURNING ALL OLD *")
assert_eq "$(jqc '.Items' "$OUT")" '[{"pk":{"S":"a"},"sk":{"N":"7"}}]' "DELETE RETURNING ALL OLD"
OUT=$(get_item '{"pk":{"S":"a"},"sk":{"N":"7"}}')
[ -z "$OUT" ] || [ "$(jqr '.Item // "none"' "$OUT")" = none ] || fail "DELETE left $OUT"

echo "== errors: exit status 254 and DynamoDB's code and message"
expect_fail 254 awscli dynamodb execute-statement \
    --statement "INSERT INTO \"cli-pq\" VALUE {'pk': 'a', 'sk': 1}"
assert_contains "$ERR" "(DuplicateItemException) when calling the ExecuteStatement operation"
assert_contains "$ERR" "Duplicate primary key exists in table"
expect_fail 254 awscli dynamodb execute-statement --statement "SELEC * FROM \"cli-pq\""
assert_contains "$ERR" "(ValidationException) when calling the ExecuteStatement operation"
assert_contains "$ERR" "Statement wasn't well formed, can't be processed"
expect_fail 254 awscli dynamodb execute-statement \
    --statement "UPDATE \"cli-pq\" SET n = 1 WHERE pk = 'a'"
assert_contains "$ERR" "Where clause does not contain a mandatory equality on all key attributes"
expect_fail 254 awscli dynamodb execute-statement \
    --statement "UPDATE \"cli-pq\" SET n = 1 WHERE pk = 'a' AND sk = 99"
assert_contains "$ERR" "(ConditionalCheckFailedException)"
assert_contains "$ERR" "The conditional request failed"
expect_fail 254 awscli dynamodb execute-statement \
    --statement "SELECT * FROM \"cli-pq\" WHERE pk = ? AND sk = ?" --parameters '[{"S":"a"}]'
assert_contains "$ERR" "Number of parameters in request and statement don't match."
expect_fail 254 awscli dynamodb execute-statement --statement "SELECT * FROM \"cli-nope\""
assert_contains "$ERR" "(ResourceNotFoundException) when calling the ExecuteStatement operation"
assert_not_contains "$ERR" "CRC32"

echo "== batch-execute-statement: one DuplicateItem among good inserts; reads"
OUT=$(awscli dynamodb batch-execute-statement --statements '[
  {"Statement":"INSERT INTO \"cli-pq\" VALUE {'"'"'pk'"'"': '"'"'b'"'"', '"'"'sk'"'"': 1}"},
  {"Statement":"INSERT INTO \"cli-pq\" VALUE {'"'"'pk'"'"': ?, '"'"'sk'"'"': ?}",
   "Parameters":[{"S":"a"},{"N":"1"}]},
  {"Statement":"INSERT INTO \"cli-pq\" VALUE {'"'"'pk'"'"': ?, '"'"'sk'"'"': ?}",
   "Parameters":[{"S":"b"},{"N":"2"}]}]')
assert_eq "$(jqr '.Responses | length' "$OUT")" 3 "one response per statement"
assert_eq "$(jqr '.Responses[1].Error.Code' "$OUT")" DuplicateItem "the duplicate's code"
assert_eq "$(jqr '.Responses[1].Error.Message' "$OUT")" "Duplicate primary key exists in table" \
    "the duplicate's message"
assert_eq "$(jqr '[.Responses[0], .Responses[2]] | map(has("Error")) | any' "$OUT")" false \
    "the other inserts succeed"
OUT=$(awscli dynamodb batch-execute-statement --statements '[
  {"Statement":"SELECT * FROM \"cli-pq\" WHERE pk = ? AND sk = ?","Parameters":[{"S":"b"},{"N":"2"}]},
  {"Statement":"SELECT * FROM \"cli-pq\" WHERE pk = ? AND sk = ?","Parameters":[{"S":"b"},{"N":"9"}]}]')
assert_eq "$(jqc '.Responses[0].Item' "$OUT")" '{"pk":{"S":"b"},"sk":{"N":"2"}}' "batch read"
assert_eq "$(jqr '.Responses[1] | has("Item") or has("Error")' "$OUT")" false "batch read of nothing"

echo "== execute-transaction: all or nothing; reads; a client request token"
expect_fail 254 awscli dynamodb execute-transaction --transact-statements '[
  {"Statement":"INSERT INTO \"cli-pq\" VALUE {'"'"'pk'"'"': '"'"'c'"'"', '"'"'sk'"'"': 1}"},
  {"Statement":"UPDATE \"cli-pq\" SET n = 5 WHERE pk = '"'"'a'"'"' AND sk = 1 AND n = 100"}]'
assert_contains "$ERR" "(TransactionCanceledException) when calling the ExecuteTransaction operation"
assert_contains "$ERR" "[None, ConditionalCheckFailed]"
OUT=$(get_item '{"pk":{"S":"c"},"sk":{"N":"1"}}')
[ -z "$OUT" ] || [ "$(jqr '.Item // "none"' "$OUT")" = none ] || fail "the cancelled insert left $OUT"
TX='[{"Statement":"UPDATE \"cli-pq\" SET n = n + 1 WHERE pk = ? AND sk = ?","Parameters":[{"S":"a"},{"N":"1"}]},
     {"Statement":"INSERT INTO \"cli-pq\" VALUE {'"'"'pk'"'"': '"'"'c'"'"', '"'"'sk'"'"': 1}"}]'
awscli dynamodb execute-transaction --client-request-token cli-tok --transact-statements "$TX" >/dev/null
awscli dynamodb execute-transaction --client-request-token cli-tok --transact-statements "$TX" >/dev/null
OUT=$(awscli dynamodb execute-transaction --transact-statements '[
  {"Statement":"SELECT n FROM \"cli-pq\" WHERE pk = '"'"'a'"'"' AND sk = 1"},
  {"Statement":"SELECT * FROM \"cli-pq\" WHERE pk = '"'"'c'"'"' AND sk = 1"},
  {"Statement":"SELECT * FROM \"cli-pq\" WHERE pk = '"'"'c'"'"' AND sk = 2"}]')
assert_eq "$(jqr '.Responses[0].Item.n.N' "$OUT")" 3.5 "the token applied the update once"
assert_eq "$(jqc '.Responses[1].Item' "$OUT")" '{"pk":{"S":"c"},"sk":{"N":"1"}}' "transaction read"
assert_eq "$(jqc '.Responses[2]' "$OUT")" '{}' "transaction read of nothing"
expect_fail 254 awscli dynamodb execute-transaction --client-request-token cli-tok \
    --transact-statements '[{"Statement":"DELETE FROM \"cli-pq\" WHERE pk = '"'"'c'"'"' AND sk = 1"}]'
assert_contains "$ERR" "(IdempotentParameterMismatchException)"

echo "ddb_partiql.sh: all good"
