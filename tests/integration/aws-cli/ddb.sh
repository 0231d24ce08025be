#!/usr/bin/env bash
# DynamoDB and DynamoDB Streams through Debian's aws-cli v2 (2.9.19, AWS JSON 1.0; botocore
# checks every response's x-amz-crc32): a table with a GSI and a stream, the `wait` waiters,
# items of every type with numbers normalized as DynamoDB returns them, conditional writes and
# their errors, update expressions, Query on the sort key and the index, Scan with segments,
# batch and transaction calls, TTL, tags, the stream's records, the CLI's own paginator over
# Query and Scan, TTL settings, delete-table, and the errors as the CLI prints them.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

start_awslet --test-clock
ARN_PREFIX=arn:aws:dynamodb:us-east-1:000000000000

jqr() { printf '%s' "$2" | jq -r "$1"; }
jqc() { printf '%s' "$2" | jq -cS "$1"; }
assert_eq() { [ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"; }

echo "== create-table with a GSI, a stream and tags; wait table-exists"
OUT=$(awscli dynamodb create-table --table-name cli-orders \
    --attribute-definitions AttributeName=pk,AttributeType=S AttributeName=sk,AttributeType=N \
    AttributeName=status,AttributeType=S \
    --key-schema AttributeName=pk,KeyType=HASH AttributeName=sk,KeyType=RANGE \
    --billing-mode PAY_PER_REQUEST \
    --global-secondary-indexes \
    'IndexName=by-status,KeySchema=[{AttributeName=status,KeyType=HASH}],Projection={ProjectionType=ALL}' \
    --stream-specification StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES \
    --tags Key=team,Value=orders)
assert_eq "$(jqr .TableDescription.TableStatus "$OUT")" CREATING "create-table status"
assert_eq "$(jqr .TableDescription.TableArn "$OUT")" "$ARN_PREFIX:table/cli-orders" "table ARN"
STREAM_ARN=$(jqr .TableDescription.LatestStreamArn "$OUT")
case $STREAM_ARN in "$ARN_PREFIX:table/cli-orders/stream/"*) ;; *) fail "stream ARN $STREAM_ARN" ;; esac
awscli dynamodb wait table-exists --table-name cli-orders
OUT=$(awscli dynamodb describe-table --table-name cli-orders)
assert_eq "$(jqr .Table.TableStatus "$OUT")" ACTIVE "describe-table status"
assert_eq "$(jqr '.Table.GlobalSecondaryIndexes[0].IndexName' "$OUT")" by-status "GSI name"
assert_eq "$(jqr '.Table.BillingModeSummary.BillingMode' "$OUT")" PAY_PER_REQUEST "billing mode"
assert_eq "$(jqr .Table.StreamSpecification.StreamViewType "$OUT")" NEW_AND_OLD_IMAGES "view type"
OUT=$(awscli dynamodb list-tables)
assert_eq "$(jqc .TableNames "$OUT")" '["cli-orders"]' "list-tables"
OUT=$(awscli dynamodb list-tags-of-resource --resource-arn "$ARN_PREFIX:table/cli-orders")
assert_eq "$(jqc .Tags "$OUT")" '[{"Key":"team","Value":"orders"}]' "tags"

echo "== create-table of an existing name -> ResourceInUseException"
expect_fail 254 awscli dynamodb create-table --table-name cli-orders \
    --attribute-definitions AttributeName=pk,AttributeType=S \
    --key-schema AttributeName=pk,KeyType=HASH --billing-mode PAY_PER_REQUEST
assert_contains "$ERR" "(ResourceInUseException) when calling the CreateTable operation"
assert_not_contains "$ERR" "CRC32"

echo "== put-item of every type; numbers come back normalized"
awscli dynamodb put-item --table-name cli-orders --item '{
  "pk": {"S": "c1"}, "sk": {"N": "1"}, "status": {"S": "NEW"},
  "amount": {"N": "0012.50"}, "big": {"N": "1e2"}, "tiny": {"N": "-0.000100"},
  "bin": {"B": "AAEC"}, "tags": {"SS": ["b", "a"]}, "qty": {"NS": ["1", "2.0"]},
  "blobs": {"BS": ["AA=="]}, "addr": {"M": {"city": {"S": "Oslo"}, "zip": {"N": "150"}}},
  "parts": {"L": [{"S": "x"}, {"N": "3"}]}, "gift": {"BOOL": false}, "note": {"NULL": true},
  "blank": {"S": ""}}'
OUT=$(awscli dynamodb get-item --table-name cli-orders --key '{"pk":{"S":"c1"},"sk":{"N":"1"}}' \
    --consistent-read)
assert_eq "$(jqr .Item.amount.N "$OUT")" 12.5 "normalized 0012.50"
assert_eq "$(jqr .Item.big.N "$OUT")" 100 "normalized 1e2"
assert_eq "$(jqr .Item.tiny.N "$OUT")" -0.0001 "normalized -0.000100"
assert_eq "$(jqr .Item.bin.B "$OUT")" AAEC "binary round trip"
assert_eq "$(jqc '.Item.tags.SS | sort' "$OUT")" '["a","b"]' "string set"
assert_eq "$(jqc '.Item.qty.NS | sort' "$OUT")" '["1","2"]' "number set normalized"
assert_eq "$(jqr .Item.addr.M.zip.N "$OUT")" 150 "nested number"
assert_eq "$(jqc .Item.parts.L "$OUT")" '[{"S":"x"},{"N":"3"}]' "list"
assert_eq "$(jqr .Item.gift.BOOL "$OUT")" false "bool"
assert_eq "$(jqr .Item.note.NULL "$OUT")" true "null"
assert_eq "$(jqr .Item.blank.S "$OUT")" "" "empty string outside keys"

echo "== get-item with a projection and names"
OUT=$(awscli dynamodb get-item --table-name cli-orders --key '{"pk":{"S":"c1"},"sk":{"N":"1"}}' \
    --projection-expression '#s, addr.city, parts[1]' --expression-attribute-names '{"#s":"status"}')
assert_eq "$(jqc .Item "$OUT")" '{"addr":{"M":{"city":{"S":"Oslo"}}},"parts":{"L":[{"N":"3"}]},"status":{"S":"NEW"}}' \
    "projection"

echo "== bad input -> ValidationException in DynamoDB's words"
expect_fail 254 awscli dynamodb put-item --table-name cli-orders --item '{"pk":{"S":"c1"}}'
assert_contains "$ERR" "(ValidationException) when calling the PutItem operation"
assert_contains "$ERR" "One or more parameter values were invalid: Missing the key sk in the item"
expect_fail 254 awscli dynamodb put-item --table-name cli-orders \
    --item '{"pk":{"S":"c9"},"sk":{"N":"1"},"n":{"N":"1e126"}}'
assert_contains "$ERR" "(ValidationException)"
assert_contains "$ERR" "Number overflow"
expect_fail 254 awscli dynamodb get-item --table-name cli-orders --key '{"pk":{"S":"c1"}}'
assert_contains "$ERR" "The provided key element does not match the schema"
expect_fail 254 awscli dynamodb update-item --table-name cli-orders \
    --key '{"pk":{"S":"c1"},"sk":{"N":"1"}}' --update-expression 'SET #s = = :v' \
    --expression-attribute-names '{"#s":"status"}' --expression-attribute-values '{":v":{"S":"X"}}'
assert_contains "$ERR" 'Invalid UpdateExpression: Syntax error; token: "="'
expect_fail 254 awscli dynamodb update-item --table-name cli-orders \
    --key '{"pk":{"S":"c1"},"sk":{"N":"1"}}' --update-expression 'SET status = :v' \
    --expression-attribute-values '{":v":{"S":"X"}}'
assert_contains "$ERR" "Attribute name is a reserved keyword; reserved keyword: status"
expect_fail 254 awscli dynamodb get-item --table-name no-such-table --key '{"pk":{"S":"c1"}}'
assert_contains "$ERR" "(ResourceNotFoundException) when calling the GetItem operation"

echo "== conditional writes; the failed one returns the old item when asked"
expect_fail 254 awscli dynamodb put-item --table-name cli-orders \
    --item '{"pk":{"S":"c1"},"sk":{"N":"1"},"status":{"S":"DUP"}}' \
    --condition-expression 'attribute_not_exists(pk)'
assert_contains "$ERR" "(ConditionalCheckFailedException) when calling the PutItem operation"
assert_contains "$ERR" "The conditional request failed"
OUT=$(awscli dynamodb update-item --table-name cli-orders --key '{"pk":{"S":"c1"},"sk":{"N":"1"}}' \
    --update-expression 'SET amount = amount + :d, parts = list_append(parts, :more) ADD tags :t REMOVE note' \
    --condition-expression '#s = :new AND size(parts) = :two' \
    --expression-attribute-names '{"#s":"status"}' \
    --expression-attribute-values '{":d":{"N":"0.25"},":more":{"L":[{"S":"y"}]},":t":{"SS":["c"]},":new":{"S":"NEW"},":two":{"N":"2"}}' \
    --return-values UPDATED_NEW)
assert_eq "$(jqr .Attributes.amount.N "$OUT")" 12.75 "amount after SET +"
assert_eq "$(jqc '.Attributes.tags.SS | sort' "$OUT")" '["a","b","c"]' "ADD to a set"
assert_eq "$(jqr '.Attributes.parts.L | length' "$OUT")" 3 "list_append"
assert_eq "$(jqr '.Attributes.note // "gone"' "$OUT")" gone "REMOVE is not in UPDATED_NEW"

echo "== query on the sort key, backwards, with a filter; the index; the CLI paginator"
for i in 2 3 4 5 6 7 8 9 10 11; do
    st=NEW
    [ $((i % 2)) -eq 0 ] && st=PAID
    awscli dynamodb put-item --table-name cli-orders \
        --item "{\"pk\":{\"S\":\"c1\"},\"sk\":{\"N\":\"$i\"},\"status\":{\"S\":\"$st\"}}"
done
OUT=$(awscli dynamodb query --table-name cli-orders \
    --key-condition-expression 'pk = :p AND sk BETWEEN :lo AND :hi' \
    --expression-attribute-values '{":p":{"S":"c1"},":lo":{"N":"2"},":hi":{"N":"10"}}' \
    --no-scan-index-forward)
assert_eq "$(jqc '[.Items[].sk.N]' "$OUT")" '["10","9","8","7","6","5","4","3","2"]' "numeric sort order, descending"
OUT=$(awscli dynamodb query --table-name cli-orders --key-condition-expression 'pk = :p' \
    --filter-expression '#s = :paid' --expression-attribute-names '{"#s":"status"}' \
    --expression-attribute-values '{":p":{"S":"c1"},":paid":{"S":"PAID"}}' --select COUNT)
assert_eq "$(jqr .Count "$OUT")" 5 "filtered count"
assert_eq "$(jqr .ScannedCount "$OUT")" 11 "scanned count"
OUT=$(awscli dynamodb query --table-name cli-orders --index-name by-status \
    --key-condition-expression '#s = :paid' --expression-attribute-names '{"#s":"status"}' \
    --expression-attribute-values '{":paid":{"S":"PAID"}}')
assert_eq "$(jqr .Count "$OUT")" 5 "GSI query"
expect_fail 254 awscli dynamodb query --table-name cli-orders --index-name by-status \
    --key-condition-expression '#s = :paid' --expression-attribute-names '{"#s":"status"}' \
    --expression-attribute-values '{":paid":{"S":"PAID"}}' --consistent-read
assert_contains "$ERR" "Consistent reads are not supported on global secondary indexes"
# the CLI follows LastEvaluatedKey itself: pages of 3 still return all 11
OUT=$(awscli dynamodb query --table-name cli-orders --key-condition-expression 'pk = :p' \
    --expression-attribute-values '{":p":{"S":"c1"}}' --page-size 3)
assert_eq "$(jqr '.Items | length' "$OUT")" 11 "paginated query"
OUT=$(awscli dynamodb query --table-name cli-orders --key-condition-expression 'pk = :p' \
    --expression-attribute-values '{":p":{"S":"c1"}}' --max-items 4)
assert_eq "$(jqr '.Items | length' "$OUT")" 4 "max-items"
[ -n "$(jqr '.NextToken // empty' "$OUT")" ] || fail "max-items left no NextToken"

echo "== scan in two segments covers every item exactly once"
A=$(awscli dynamodb scan --table-name cli-orders --segment 0 --total-segments 2 | jq -c '[.Items[] | .pk.S + "/" + .sk.N]')
B=$(awscli dynamodb scan --table-name cli-orders --segment 1 --total-segments 2 | jq -c '[.Items[] | .pk.S + "/" + .sk.N]')
assert_eq "$(jq -n --argjson a "$A" --argjson b "$B" '$a + $b | length')" 11 "segments cover the table"
assert_eq "$(jq -n --argjson a "$A" --argjson b "$B" '$a + $b | unique | length')" 11 "segments are disjoint"

echo "== batch-write-item, batch-get-item"
awscli dynamodb batch-write-item --request-items '{"cli-orders":[
  {"PutRequest":{"Item":{"pk":{"S":"c2"},"sk":{"N":"1"}}}},
  {"PutRequest":{"Item":{"pk":{"S":"c2"},"sk":{"N":"2"}}}},
  {"DeleteRequest":{"Key":{"pk":{"S":"c1"},"sk":{"N":"11"}}}}]}' >/dev/null
OUT=$(awscli dynamodb batch-get-item --request-items '{"cli-orders":{"Keys":[
  {"pk":{"S":"c2"},"sk":{"N":"1"}},{"pk":{"S":"c2"},"sk":{"N":"2"}},{"pk":{"S":"c1"},"sk":{"N":"11"}}]}}')
assert_eq "$(jqr '.Responses["cli-orders"] | length' "$OUT")" 2 "batch-get found the two puts"
assert_eq "$(jqc .UnprocessedKeys "$OUT")" '{}' "nothing unprocessed"

echo "== transact-write-items: a failed condition cancels everything"
expect_fail 254 awscli dynamodb transact-write-items --transact-items '[
  {"Put":{"TableName":"cli-orders","Item":{"pk":{"S":"c3"},"sk":{"N":"1"}}}},
  {"ConditionCheck":{"TableName":"cli-orders","Key":{"pk":{"S":"c2"},"sk":{"N":"1"}},
    "ConditionExpression":"attribute_not_exists(pk)"}}]'
assert_contains "$ERR" "(TransactionCanceledException) when calling the TransactWriteItems operation"
assert_contains "$ERR" "[None, ConditionalCheckFailed]"
OUT=$(awscli dynamodb get-item --table-name cli-orders --key '{"pk":{"S":"c3"},"sk":{"N":"1"}}')
[ -z "$OUT" ] || [ "$(jqr '.Item // "none"' "$OUT")" = none ] || fail "the cancelled put left $OUT"
awscli dynamodb transact-write-items --client-request-token tok-1 --transact-items '[
  {"Put":{"TableName":"cli-orders","Item":{"pk":{"S":"c3"},"sk":{"N":"1"}}}},
  {"Update":{"TableName":"cli-orders","Key":{"pk":{"S":"c2"},"sk":{"N":"1"}},
    "UpdateExpression":"SET n = :one","ExpressionAttributeValues":{":one":{"N":"1"}}}}]' >/dev/null
OUT=$(awscli dynamodb transact-get-items --transact-items '[
  {"Get":{"TableName":"cli-orders","Key":{"pk":{"S":"c3"},"sk":{"N":"1"}}}},
  {"Get":{"TableName":"cli-orders","Key":{"pk":{"S":"c2"},"sk":{"N":"1"}}}}]')
assert_eq "$(jqr '.Responses[1].Item.n.N' "$OUT")" 1 "transact-get sees the update"

echo "== TTL: enabled and described"
awscli dynamodb update-time-to-live --table-name cli-orders \
    --time-to-live-specification Enabled=true,AttributeName=expires_at >/dev/null
OUT=$(awscli dynamodb describe-time-to-live --table-name cli-orders)
assert_eq "$(jqr .TimeToLiveDescription.TimeToLiveStatus "$OUT")" ENABLED "TTL status"
assert_eq "$(jqr .TimeToLiveDescription.AttributeName "$OUT")" expires_at "TTL attribute"

echo "== the stream: records for the writes above, in order"
OUT=$(awscli dynamodbstreams describe-stream --stream-arn "$STREAM_ARN")
SHARD=$(jqr '.StreamDescription.Shards[0].ShardId' "$OUT")
assert_eq "$(jqr .StreamDescription.StreamStatus "$OUT")" ENABLED "stream status"
IT=$(awscli dynamodbstreams get-shard-iterator --stream-arn "$STREAM_ARN" --shard-id "$SHARD" \
    --shard-iterator-type TRIM_HORIZON | jq -r .ShardIterator)
OUT=$(awscli dynamodbstreams get-records --shard-iterator "$IT" --limit 2)
assert_eq "$(jqc '[.Records[].eventName]' "$OUT")" '["INSERT","MODIFY"]' "first two records"
assert_eq "$(jqr '.Records[0].eventSource' "$OUT")" aws:dynamodb "eventSource"
assert_eq "$(jqr '.Records[1].dynamodb.OldImage.amount.N' "$OUT")" 12.5 "OldImage"
assert_eq "$(jqr '.Records[1].dynamodb.NewImage.amount.N' "$OUT")" 12.75 "NewImage"
S1=$(jqr '.Records[0].dynamodb.SequenceNumber' "$OUT")
S2=$(jqr '.Records[1].dynamodb.SequenceNumber' "$OUT")
[ "$(printf '%s\n%s\n' "$S1" "$S2" | sort | head -1)" = "$S1" ] && [ "$S1" != "$S2" ] \
    || fail "sequence numbers do not increase: $S1 then $S2"
[ -n "$(jqr '.NextShardIterator // empty' "$OUT")" ] || fail "no NextShardIterator"

echo "== delete-table: DELETING, then gone"
# (this CLI's model predates DeletionProtectionEnabled; boto3 and the JS SDK test it)
OUT=$(awscli dynamodb delete-table --table-name cli-orders)
assert_eq "$(jqr .TableDescription.TableStatus "$OUT")" DELETING "delete-table status"
awscli dynamodb wait table-not-exists --table-name cli-orders
OUT=$(awscli dynamodb list-tables)
assert_eq "$(jqc .TableNames "$OUT")" '[]' "no tables left"

echo "PASS"
