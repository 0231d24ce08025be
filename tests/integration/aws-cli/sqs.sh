#!/usr/bin/env bash
# SQS through Debian's aws-cli v2 (2.9.19), which speaks the *query* protocol to SQS (form in,
# XML out): queues, attributes, tags, permissions, send/receive/delete with message attributes
# (MD5OfMessageAttributes checked against AWS's algorithm), visibility, batches, FIFO, a long
# poll, purge, delete and the 60 s re-create rule on the test clock, and the error codes as the
# CLI prints them.  The message move task operations are newer than this CLI's model, so they
# are driven with raw query requests (curl).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

start_awslet --test-clock
ACCT=000000000000
Q=$AWSLET_URL/$ACCT/cli-orders
F=$AWSLET_URL/$ACCT/cli-orders.fifo

# jqr FILTER JSON: one raw value
jqr() { printf '%s' "$2" | jq -r "$1"; }
jqc() { printf '%s' "$2" | jq -cS "$1"; }   # compact, keys sorted
assert_eq() { [ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"; }
advance() { curl -sf -X POST -d "{\"advance_ms\": $1}" "$AWSLET_URL/_awslet/clock" >/dev/null \
    || fail "advancing the test clock"; }
# query FORM [PATH]: a raw query-protocol POST; sets QSTATUS and QBODY
query() {
    local out
    out=$(curl -s -w '\n%{http_code}' -H 'Content-Type: application/x-www-form-urlencoded' \
        --data "$1&Version=2012-11-05" "$AWSLET_URL${2:-/}")
    QSTATUS=${out##*$'\n'}
    QBODY=${out%$'\n'*}
}

echo "== create-queue (standard), idempotent, QueueAlreadyExists"
url=$(awscli sqs create-queue --queue-name cli-orders --attributes VisibilityTimeout=40,DelaySeconds=0 \
    --tags team=orders --query QueueUrl --output text)
assert_eq "$url" "$Q" "queue URL"
url=$(awscli sqs create-queue --queue-name cli-orders --attributes VisibilityTimeout=40 \
    --query QueueUrl --output text)
assert_eq "$url" "$Q" "queue URL of an identical CreateQueue"
expect_fail 254 awscli sqs create-queue --queue-name cli-orders --attributes VisibilityTimeout=41
assert_contains "$ERR" "An error occurred (QueueAlreadyExists) when calling the CreateQueue operation"

echo "== create-queue: invalid attribute name; invalid name (raw query)"
expect_fail 254 awscli sqs create-queue --queue-name cli-bad --attributes Bogus=1
assert_contains "$ERR" "(InvalidAttributeName) when calling the CreateQueue operation"
query "Action=CreateQueue&QueueName=bad+name"
assert_eq "$QSTATUS" 400 "invalid queue name status"
assert_contains "$QBODY" "<Code>InvalidParameterValue</Code>"

echo "== create-queue (FIFO)"
url=$(awscli sqs create-queue --queue-name cli-orders.fifo \
    --attributes FifoQueue=true,ContentBasedDeduplication=false --query QueueUrl --output text)
assert_eq "$url" "$F" "FIFO queue URL"

echo "== get-queue-url, NonExistentQueue"
assert_eq "$(awscli sqs get-queue-url --queue-name cli-orders --query QueueUrl --output text)" "$Q" \
    "get-queue-url"
expect_fail 254 awscli sqs get-queue-url --queue-name nope
assert_contains "$ERR" "An error occurred (AWS.SimpleQueueService.NonExistentQueue) when calling the GetQueueUrl operation"

echo "== list-queues: all, prefix, paged with NextToken (--page-size 1)"
out=$(awscli sqs list-queues)
assert_eq "$(jqr '.QueueUrls | sort | join(" ")' "$out")" "$Q $F" "list-queues"
out=$(awscli sqs list-queues --queue-name-prefix cli-orders.)
assert_eq "$(jqr '.QueueUrls | join(" ")' "$out")" "$F" "list-queues with a prefix"
out=$(awscli sqs list-queues --page-size 1 --debug 2>"$AWSLET_TMP/paged.err")
assert_eq "$(jqr '.QueueUrls | sort | join(" ")' "$out")" "$Q $F" "list-queues paged"
grep -q "NextToken" "$AWSLET_TMP/paged.err" || fail "paging never sent a NextToken"

echo "== get-queue-attributes / set-queue-attributes"
out=$(awscli sqs get-queue-attributes --queue-url "$Q" --attribute-names All)
assert_eq "$(jqr .Attributes.VisibilityTimeout "$out")" 40 VisibilityTimeout
assert_eq "$(jqr .Attributes.QueueArn "$out")" "arn:aws:sqs:us-east-1:$ACCT:cli-orders" QueueArn
assert_eq "$(jqr .Attributes.MaximumMessageSize "$out")" 1048576 MaximumMessageSize
assert_eq "$(jqr .Attributes.MessageRetentionPeriod "$out")" 345600 MessageRetentionPeriod
assert_eq "$(jqr .Attributes.ApproximateNumberOfMessages "$out")" 0 ApproximateNumberOfMessages
[ "$(jqr '.Attributes.CreatedTimestamp | test("^[0-9]{10}$")' "$out")" = true ] \
    || fail "CreatedTimestamp is not epoch seconds: $out"
awscli sqs set-queue-attributes --queue-url "$Q" --attributes VisibilityTimeout=50,ReceiveMessageWaitTimeSeconds=0
out=$(awscli sqs get-queue-attributes --queue-url "$Q" --attribute-names VisibilityTimeout)
assert_eq "$(jqc .Attributes "$out")" '{"VisibilityTimeout":"50"}' "attributes after set"
expect_fail 254 awscli sqs set-queue-attributes --queue-url "$Q" --attributes VisibilityTimeout=43201
assert_contains "$ERR" "(InvalidAttributeValue) when calling the SetQueueAttributes operation"
expect_fail 254 awscli sqs get-queue-attributes --queue-url "$Q" --attribute-names Bogus
assert_contains "$ERR" "(InvalidAttributeName) when calling the GetQueueAttributes operation"
out=$(awscli sqs get-queue-attributes --queue-url "$F" --attribute-names FifoQueue ContentBasedDeduplication)
assert_eq "$(jqc '.Attributes' "$out")" '{"ContentBasedDeduplication":"false","FifoQueue":"true"}' \
    "FIFO attributes"

echo "== add-permission / remove-permission"
awscli sqs add-permission --queue-url "$Q" --label cli-send --aws-account-ids 111122223333 \
    --actions SendMessage
out=$(awscli sqs get-queue-attributes --queue-url "$Q" --attribute-names Policy)
policy=$(jqr .Attributes.Policy "$out")
assert_eq "$(jqr '.Statement[0].Sid' "$policy")" cli-send "policy statement Sid"
assert_eq "$(jqr '.Statement[0].Resource' "$policy")" "arn:aws:sqs:us-east-1:$ACCT:cli-orders" \
    "policy Resource"
assert_contains "$(jqc '.Statement[0].Action' "$policy")" "SQS:SendMessage"
assert_contains "$(jqc '.Statement[0].Principal' "$policy")" "arn:aws:iam::111122223333:root"
awscli sqs remove-permission --queue-url "$Q" --label cli-send
query "Action=RemovePermission&QueueUrl=$Q&Label=cli-send"
assert_eq "$QSTATUS" 400 "removing an unknown label"
assert_contains "$QBODY" "<Code>InvalidParameterValue</Code>"

echo "== send-message with message attributes of every type: MD5s"
attrs='{"str":{"DataType":"String","StringValue":"h\u00e9llo"},"num":{"DataType":"Number","StringValue":"42.5"},"bin":{"DataType":"Binary","BinaryValue":"AAEC/w=="},"price":{"DataType":"Number.float","StringValue":"3.14"},"img":{"DataType":"Binary.gif","BinaryValue":"R0lGODlh"}}'
want_md5=$(ATTRS=$attrs python3 -c '
import base64, hashlib, json, os
a = json.loads(os.environ["ATTRS"]); buf = b""
for n in sorted(a):
    t = a[n]["DataType"]
    v = base64.b64decode(a[n]["BinaryValue"]) if t.startswith("Binary") else a[n]["StringValue"].encode()
    buf += len(n.encode()).to_bytes(4, "big") + n.encode()
    buf += len(t).to_bytes(4, "big") + t.encode()
    buf += (b"\x02" if t.startswith("Binary") else b"\x01") + len(v).to_bytes(4, "big") + v
print(hashlib.md5(buf).hexdigest())')
body='order #1 <b>&amp; "quoted"</b> caf'$'\xc3\xa9'
out=$(awscli sqs send-message --queue-url "$Q" --message-body "$body" --message-attributes "$attrs")
mid=$(jqr .MessageId "$out")
assert_eq "$(jqr .MD5OfMessageBody "$out")" "$(printf '%s' "$body" | md5sum | cut -d' ' -f1)" \
    MD5OfMessageBody
assert_eq "$(jqr .MD5OfMessageAttributes "$out")" "$want_md5" MD5OfMessageAttributes
# the AWS test vector, computed the same way
out=$(awscli sqs send-message --queue-url "$Q" --message-body vector \
    --message-attributes '{"attribName1":{"DataType":"String","StringValue":"attribValue 1"}}' \
    --delay-seconds 30)
assert_eq "$(jqr .MD5OfMessageAttributes "$out")" 19e27d4e946b072f3f58da80d94fd778 "test vector MD5"
trace='Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1'
out=$(awscli sqs send-message --queue-url "$Q" --message-body plain --message-system-attributes \
    "{\"AWSTraceHeader\":{\"DataType\":\"String\",\"StringValue\":\"$trace\"}}")
assert_eq "$(jqr 'has("MD5OfMessageAttributes")' "$out")" false "MD5OfMessageAttributes without attributes"
want_sys=$(T=$trace python3 -c '
import hashlib, os
v = os.environ["T"].encode(); n = b"AWSTraceHeader"; t = b"String"
print(hashlib.md5(len(n).to_bytes(4, "big") + n + len(t).to_bytes(4, "big") + t + b"\x01"
                  + len(v).to_bytes(4, "big") + v).hexdigest())')
assert_eq "$(jqr .MD5OfMessageSystemAttributes "$out")" "$want_sys" MD5OfMessageSystemAttributes

echo "== send-message errors"
expect_fail 254 awscli sqs send-message --queue-url "$Q" --message-body "bad"$'\x01'"char"
assert_contains "$ERR" "(InvalidMessageContents) when calling the SendMessage operation"
expect_fail 254 awscli sqs send-message --queue-url "$AWSLET_URL/$ACCT/nope" --message-body x
assert_contains "$ERR" "(AWS.SimpleQueueService.NonExistentQueue) when calling the SendMessage operation"

echo "== receive-message with all attributes"
out=$(awscli sqs receive-message --queue-url "$Q" --attribute-names All --message-attribute-names All \
    --max-number-of-messages 10)
m=$(printf '%s' "$out" | jq -c --arg id "$mid" '.Messages[] | select(.MessageId == $id)')
[ -n "$m" ] || fail "the message with attributes was not received: $out"
assert_eq "$(jqr .Body "$m")" "$body" Body
assert_eq "$(jqr .MD5OfBody "$m")" "$(printf '%s' "$body" | md5sum | cut -d' ' -f1)" MD5OfBody
assert_eq "$(jqr .MD5OfMessageAttributes "$m")" "$want_md5" "MD5OfMessageAttributes on receive"
assert_eq "$(jqr .MessageAttributes.bin.BinaryValue "$m")" "AAEC/w==" "Binary attribute"
assert_eq "$(jqr .MessageAttributes.img.DataType "$m")" "Binary.gif" "custom Binary type"
assert_eq "$(jqr .MessageAttributes.price.StringValue "$m")" "3.14" "custom Number type"
assert_eq "$(jqr .MessageAttributes.str.StringValue "$m")" "h"$'\xc3\xa9'"llo" "String attribute"
assert_eq "$(jqr .Attributes.ApproximateReceiveCount "$m")" 1 ApproximateReceiveCount
[ "$(jqr '.Attributes.SentTimestamp | test("^[0-9]{13}$")' "$m")" = true ] \
    || fail "SentTimestamp is not epoch milliseconds: $m"
assert_eq "$(printf '%s' "$out" | jq '.Messages | length')" 2 "received messages (one is delayed)"
assert_eq "$(printf '%s' "$out" | jq -r '.Messages[] | select(.Body == "plain") | .Attributes.AWSTraceHeader')" \
    "$trace" "AWSTraceHeader on receive"
h=$(jqr .ReceiptHandle "$m")

echo "== change-message-visibility (0 = visible now), errors"
awscli sqs change-message-visibility --queue-url "$Q" --receipt-handle "$h" --visibility-timeout 0
out=$(awscli sqs receive-message --queue-url "$Q" --attribute-names ApproximateReceiveCount \
    --max-number-of-messages 10)
m=$(printf '%s' "$out" | jq -c --arg id "$mid" '.Messages[] | select(.MessageId == $id)')
assert_eq "$(jqr .Attributes.ApproximateReceiveCount "$m")" 2 "receive count after visibility 0"
h2=$(jqr .ReceiptHandle "$m")
[ "$h2" != "$h" ] || fail "a new receive must return a new receipt handle"
expect_fail 254 awscli sqs change-message-visibility --queue-url "$Q" --receipt-handle garbage \
    --visibility-timeout 5
assert_contains "$ERR" "(ReceiptHandleIsInvalid) when calling the ChangeMessageVisibility operation"

echo "== delete-message"
awscli sqs delete-message --queue-url "$Q" --receipt-handle "$h2"
query "Action=DeleteMessage&ReceiptHandle=garbage" "/$ACCT/cli-orders"
assert_eq "$QSTATUS" 400 "DeleteMessage with a bad handle"
assert_contains "$QBODY" "<Code>ReceiptHandleIsInvalid</Code>"

echo "== visibility expiry on the test clock"
advance 51000          # the other received message (visibility 50 s) and the delayed one are back
out=$(awscli sqs get-queue-attributes --queue-url "$Q" --attribute-names ApproximateNumberOfMessages \
    ApproximateNumberOfMessagesNotVisible ApproximateNumberOfMessagesDelayed)
assert_eq "$(jqc '.Attributes | [.ApproximateNumberOfMessages, .ApproximateNumberOfMessagesNotVisible, .ApproximateNumberOfMessagesDelayed]' "$out")" \
    '["2","0","0"]' "counts after the clock moved"

echo "== batches: send (one entry fails), change visibility, delete"
out=$(awscli sqs send-message-batch --queue-url "$Q" --entries \
    '[{"Id":"a","MessageBody":"batch a","MessageAttributes":{"k":{"DataType":"String","StringValue":"v"}}},
      {"Id":"b","MessageBody":"batch b"},{"Id":"bad","MessageBody":"x","DelaySeconds":901}]')
assert_eq "$(jqr '[.Successful[].Id] | sort | join(",")' "$out")" "a,b" "batch Successful"
assert_eq "$(jqr '.Failed[0].Id + " " + .Failed[0].Code + " " + (.Failed[0].SenderFault|tostring)' "$out")" \
    "bad InvalidParameterValue true" "batch Failed"
assert_eq "$(jqr '.Successful[] | select(.Id == "b") | .MD5OfMessageBody' "$out")" \
    "$(printf 'batch b' | md5sum | cut -d' ' -f1)" "batch MD5OfMessageBody"
awscli sqs purge-queue --queue-url "$Q"
expect_fail 254 awscli sqs purge-queue --queue-url "$Q"
assert_contains "$ERR" "(AWS.SimpleQueueService.PurgeQueueInProgress) when calling the PurgeQueue operation"
advance 61000
awscli sqs send-message-batch --queue-url "$Q" --entries '[{"Id":"1","MessageBody":"one"},{"Id":"2","MessageBody":"two"}]' >/dev/null
out=$(awscli sqs receive-message --queue-url "$Q" --max-number-of-messages 10)
n=$(printf '%s' "$out" | jq '.Messages | length')
[ "$n" -ge 1 ] || fail "batch messages not received: $out"
entries=$(printf '%s' "$out" | jq -c '[.Messages | to_entries[] | {Id: ("e\(.key)"), ReceiptHandle: .value.ReceiptHandle, VisibilityTimeout: 0}]
    + [{Id: "junk", ReceiptHandle: "garbage", VisibilityTimeout: 0}]')
out=$(awscli sqs change-message-visibility-batch --queue-url "$Q" --entries "$entries")
assert_eq "$(jqr '.Successful | length' "$out")" "$n" "change-visibility-batch Successful"
assert_eq "$(jqr '.Failed[0].Id + " " + .Failed[0].Code' "$out")" "junk ReceiptHandleIsInvalid" \
    "change-visibility-batch Failed"
: >"$AWSLET_TMP/handles"
for _ in 1 2 3 4 5; do
    awscli sqs receive-message --queue-url "$Q" --max-number-of-messages 10 \
        | jq -r '.Messages[]?.ReceiptHandle' >>"$AWSLET_TMP/handles"
    [ "$(wc -l <"$AWSLET_TMP/handles")" -ge 2 ] && break
done
entries=$(jq -Rnc '[inputs] | to_entries | map({Id: "d\(.key)", ReceiptHandle: .value})' "$AWSLET_TMP/handles")
out=$(awscli sqs delete-message-batch --queue-url "$Q" --entries "$entries")
assert_eq "$(jqr '.Successful | length' "$out")" 2 "delete-message-batch Successful"
assert_eq "$(jqr '.Failed // [] | length' "$out")" 0 "delete-message-batch Failed"

echo "== batch request errors"
eleven=$(jq -cn '[range(11) | {Id: "e\(.)", MessageBody: "x"}]')
expect_fail 254 awscli sqs send-message-batch --queue-url "$Q" --entries "$eleven"
assert_contains "$ERR" "(AWS.SimpleQueueService.TooManyEntriesInBatchRequest) when calling the SendMessageBatch operation"
query "Action=SendMessageBatch&QueueUrl=$Q&SendMessageBatchRequestEntry.1.Id=same&SendMessageBatchRequestEntry.1.MessageBody=x&SendMessageBatchRequestEntry.2.Id=same&SendMessageBatchRequestEntry.2.MessageBody=y"
assert_eq "$QSTATUS" 400 "duplicate batch ids"
assert_contains "$QBODY" "<Code>AWS.SimpleQueueService.BatchEntryIdsNotDistinct</Code>"
query "Action=DeleteMessageBatch&QueueUrl=$Q&DeleteMessageBatchRequestEntry.1.Id=bad+id&DeleteMessageBatchRequestEntry.1.ReceiptHandle=h"
assert_eq "$QSTATUS" 400 "invalid batch id"
assert_contains "$QBODY" "<Code>AWS.SimpleQueueService.InvalidBatchEntryId</Code>"
query "Action=SendMessageBatch&QueueUrl=$Q"
assert_eq "$QSTATUS" 400 "empty batch status"
assert_contains "$QBODY" "<Code>AWS.SimpleQueueService.EmptyBatchRequest</Code>"

echo "== FIFO: order, deduplication, sequence numbers"
s1=$(awscli sqs send-message --queue-url "$F" --message-body f1 --message-group-id g --message-deduplication-id d1)
s2=$(awscli sqs send-message --queue-url "$F" --message-body f2 --message-group-id g --message-deduplication-id d2)
s3=$(awscli sqs send-message --queue-url "$F" --message-body f1-again --message-group-id g --message-deduplication-id d1)
assert_eq "$(jqr .MessageId "$s3")" "$(jqr .MessageId "$s1")" "deduplicated MessageId"
seq1=$(jqr .SequenceNumber "$s1"); seq2=$(jqr .SequenceNumber "$s2")
case $seq1$seq2 in *[!0-9]*|'') fail "SequenceNumber is not a number: $seq1 $seq2" ;; esac
# decimal strings of any length: compare by length, then lexically
if [ "${#seq2}" -lt "${#seq1}" ] || { [ "${#seq2}" -eq "${#seq1}" ] && ! [[ $seq2 > $seq1 ]]; }; then
    fail "SequenceNumber did not increase: $seq1 then $seq2"
fi
expect_fail 254 awscli sqs send-message --queue-url "$F" --message-body x --message-deduplication-id d9
assert_contains "$ERR" "(MissingParameter) when calling the SendMessage operation"
query "Action=SendMessage&MessageBody=x&MessageGroupId=g&MessageDeduplicationId=d9&DelaySeconds=5" \
    "/$ACCT/cli-orders.fifo"
assert_eq "$QSTATUS" 400 "per-message delay on a FIFO queue"
assert_contains "$QBODY" "<Code>InvalidParameterValue</Code>"
out=$(awscli sqs receive-message --queue-url "$F" --attribute-names All --max-number-of-messages 10)
assert_eq "$(jqr '.Messages[0].Body' "$out")" f1 "first FIFO message"
assert_eq "$(jqr '.Messages[0].Attributes.MessageGroupId' "$out")" g MessageGroupId
assert_eq "$(jqr '.Messages[0].Attributes.SequenceNumber' "$out")" "$(jqr .SequenceNumber "$s1")" \
    SequenceNumber
# one or both of the group's messages, in order, and never the deduplicated one
case $(jqr '[.Messages[].Body] | join(",")' "$out") in
    f1|f1,f2) ;; *) fail "FIFO receive out of order or duplicated: $out" ;; esac
# the group is in flight: nothing more is delivered
out=$(awscli sqs receive-message --queue-url "$F" --max-number-of-messages 10)
assert_not_contains "$out" "Messages"       # the CLI prints nothing for an empty receive

echo "== long poll: returns early when a message arrives; empty after its wait"
t0=$(date +%s%N)
awscli sqs receive-message --queue-url "$Q" --wait-time-seconds 10 >"$AWSLET_TMP/lp.out" 2>&1 &
lp=$!
sleep 2
kill -0 "$lp" 2>/dev/null || fail "the long poll returned before the send: $(cat "$AWSLET_TMP/lp.out")"
awscli sqs send-message --queue-url "$Q" --message-body wake-up >/dev/null
wait "$lp" || fail "long poll failed: $(cat "$AWSLET_TMP/lp.out")"
elapsed_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
assert_eq "$(jq -r '.Messages[0].Body' "$AWSLET_TMP/lp.out")" wake-up "long-poll message"
[ "$elapsed_ms" -lt 8000 ] || fail "the long poll took ${elapsed_ms} ms: it did not return early"
out=$(awscli sqs receive-message --queue-url "$F" --wait-time-seconds 1)
assert_not_contains "$out" "Messages"
# timed without the CLI's start-up: the same empty 1 s long poll as a raw query request
t=$(curl -s -o "$AWSLET_TMP/lp1.xml" -w '%{time_total}' -H 'Content-Type: application/x-www-form-urlencoded' \
    --data "Action=ReceiveMessage&Version=2012-11-05&WaitTimeSeconds=1" "$AWSLET_URL/$ACCT/cli-orders.fifo")
assert_contains "$(cat "$AWSLET_TMP/lp1.xml")" "<ReceiveMessageResponse"
assert_not_contains "$(cat "$AWSLET_TMP/lp1.xml")" "<Message>"
awk -v t="$t" 'BEGIN { exit !(t >= 0.9 && t < 3) }' || fail "empty 1 s long poll took ${t} s"

echo "== dead-letter queue: list-dead-letter-source-queues, and move tasks over raw query"
awscli sqs create-queue --queue-name cli-dlq >/dev/null
jq -n --arg arn "arn:aws:sqs:us-east-1:$ACCT:cli-dlq" \
    '{RedrivePolicy: ({deadLetterTargetArn: $arn, maxReceiveCount: "1"} | tojson)}' >"$AWSLET_TMP/redrive.json"
awscli sqs create-queue --queue-name cli-src --attributes "file://$AWSLET_TMP/redrive.json" >/dev/null
out=$(awscli sqs list-dead-letter-source-queues --queue-url "$AWSLET_URL/$ACCT/cli-dlq")
assert_eq "$(jqr '.queueUrls | join(" ")' "$out")" "$AWSLET_URL/$ACCT/cli-src" "DLQ sources"
S=$AWSLET_URL/$ACCT/cli-src
awscli sqs send-message --queue-url "$S" --message-body poison >/dev/null
query "Action=ReceiveMessage&VisibilityTimeout=0" "/$ACCT/cli-src"
assert_contains "$QBODY" "<Body>poison</Body>"
query "Action=ReceiveMessage&VisibilityTimeout=0" "/$ACCT/cli-src"
assert_not_contains "$QBODY" "poison"      # received maxReceiveCount (1) times: moved to the DLQ
query "Action=GetQueueAttributes&AttributeName.1=ApproximateNumberOfMessages" "/$ACCT/cli-dlq"
assert_contains "$QBODY" "<Value>1</Value>"
query "Action=StartMessageMoveTask&SourceArn=arn:aws:sqs:us-east-1:$ACCT:cli-dlq"
assert_eq "$QSTATUS" 200 "StartMessageMoveTask over query: $QBODY"
assert_contains "$QBODY" "<TaskHandle>"
for _ in $(seq 1 50); do
    query "Action=ListMessageMoveTasks&SourceArn=arn:aws:sqs:us-east-1:$ACCT:cli-dlq"
    case $QBODY in *"<Status>COMPLETED</Status>"*) break ;; esac
    sleep 0.1
done
assert_contains "$QBODY" "<Status>COMPLETED</Status>"
assert_contains "$QBODY" "<ApproximateNumberOfMessagesMoved>1</ApproximateNumberOfMessagesMoved>"
query "Action=CancelMessageMoveTask&TaskHandle=no-such-task"
assert_eq "$QSTATUS" 400 "CancelMessageMoveTask of an unknown task: $QBODY"
out=$(awscli sqs receive-message --queue-url "$S")
assert_eq "$(jqr '.Messages[0].Body' "$out")" poison "message moved back to its source"

echo "== delete-queue, QueueDeletedRecently, re-create after 60 s"
awscli sqs delete-queue --queue-url "$Q"
expect_fail 254 awscli sqs get-queue-url --queue-name cli-orders
assert_contains "$ERR" "(AWS.SimpleQueueService.NonExistentQueue) when calling the GetQueueUrl operation"
expect_fail 254 awscli sqs create-queue --queue-name cli-orders
assert_contains "$ERR" "(AWS.SimpleQueueService.QueueDeletedRecently) when calling the CreateQueue operation"
advance 61000
assert_eq "$(awscli sqs create-queue --queue-name cli-orders --tags team=orders --query QueueUrl \
    --output text)" "$Q" "re-created queue URL"

echo "== query protocol on the wire: XML shape and the queue addressed by path"
query "Action=GetQueueAttributes&AttributeName.1=QueueArn" "/$ACCT/cli-orders"
assert_eq "$QSTATUS" 200 "GetQueueAttributes by path: $QBODY"
assert_contains "$QBODY" '<GetQueueAttributesResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">'
assert_contains "$QBODY" "<Name>QueueArn</Name><Value>arn:aws:sqs:us-east-1:$ACCT:cli-orders</Value>"
query "Action=GetQueueUrl&QueueName=nope"
assert_eq "$QSTATUS" 400 "NonExistentQueue status"
assert_contains "$QBODY" "<Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code>"

echo "== tag-queue / untag-queue / list-queue-tags"
awscli sqs tag-queue --queue-url "$Q" --tags env=dev,tier=gold
awscli sqs untag-queue --queue-url "$Q" --tag-keys tier
out=$(awscli sqs list-queue-tags --queue-url "$Q")
assert_eq "$(jqc '.Tags' "$out")" '{"env":"dev","team":"orders"}' "tags"

echo "PASS"
