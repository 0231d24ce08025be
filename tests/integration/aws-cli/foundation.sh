#!/usr/bin/env bash
# Foundation milestone through Debian's aws-cli v2 (2.9.19): every command of a service that
# has no operation yet must fail with its protocol's unknown-operation error, parsed by the real
# CLI.  This CLI speaks the *query* protocol to SQS (its bundled model predates SQS JSON), so
# list-queues (SQS is implemented) proves the daemon's form-in/XML-out path; SNS is query for
# every client and proves the query protocol's InvalidAction error.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# expect_ok CMD...: like expect_fail, but the command must succeed (exit 0)
expect_ok() { expect_fail 0 "$@"; }

start_awslet

echo "== health over plain HTTP"
health=$(curl -sf "$AWSLET_URL/_awslet/health" | tr -d " \n")
assert_contains "$health" '"status":"running"'

echo "== sqs list-queues (query protocol) -> success, exit 0"
expect_ok awscli sqs list-queues

echo "== sqs list-queues --debug: form-encoded Action=ListQueues out, XML ListQueuesResponse back"
expect_ok awscli sqs list-queues --debug
assert_contains "$ERR" "'Content-Type': 'application/x-www-form-urlencoded"
assert_contains "$ERR" "'body': {'Action': 'ListQueues', 'Version': '2012-11-05'}"
assert_not_contains "$ERR" "X-Amz-Target"
assert_contains "$ERR" '<ListQueuesResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">'
# the request id header equals the XML <RequestId>
xml_rid=$(printf '%s' "$ERR" | grep -o '<RequestId>[^<]*</RequestId>' | head -1 | sed 's/<[^>]*>//g')
[ -n "$xml_rid" ] || fail "no <RequestId> in the debug response body"
printf '%s' "$ERR" | grep -qi "'x-amzn-requestid': '$xml_rid'" \
    || fail "x-amzn-RequestId header does not equal the XML RequestId $xml_rid"
# and the daemon's access log names the SQS operation it decoded from the form
grep -q "sqs ListQueues 200 .* $xml_rid POST /" "$AWSLET_LOG" \
    || fail "access log has no 'sqs ListQueues 200 ... $xml_rid POST /' line"

echo "== sqs send-message to a queue URL path (query) -> SQS's NonExistentQueue"
expect_fail 254 awscli sqs send-message --queue-url "$AWSLET_URL/000000000000/orders" \
    --message-body hello
assert_contains "$ERR" "(AWS.SimpleQueueService.NonExistentQueue) when calling the SendMessage operation"

echo "== sns list-topics (query protocol) -> InvalidAction, exit 254"
expect_fail 254 awscli sns list-topics
assert_contains "$ERR" "An error occurred (InvalidAction) when calling the ListTopics operation"
assert_contains "$ERR" "The action ListTopics is not valid for this web service."

echo "== sns list-topics --debug: form-encoded Action=ListTopics out, XML ErrorResponse back"
expect_fail 254 awscli sns list-topics --debug
assert_contains "$ERR" "'Content-Type': 'application/x-www-form-urlencoded"
assert_contains "$ERR" "'body': {'Action': 'ListTopics', 'Version': '2010-03-31'}"
assert_not_contains "$ERR" "X-Amz-Target"
assert_contains "$ERR" "<Code>InvalidAction</Code>"
assert_contains "$ERR" '<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">'
# the request id header equals the XML <RequestId>
xml_rid=$(printf '%s' "$ERR" | grep -o '<RequestId>[^<]*</RequestId>' | head -1 | sed 's/<[^>]*>//g')
[ -n "$xml_rid" ] || fail "no <RequestId> in the debug response body"
printf '%s' "$ERR" | grep -qi "'x-amzn-requestid': '$xml_rid'" \
    || fail "x-amzn-RequestId header does not equal the XML RequestId $xml_rid"
# and the daemon's access log names the SNS operation it decoded from the form
grep -q "sns ListTopics 400 .* $xml_rid POST /" "$AWSLET_LOG" \
    || fail "access log has no 'sns ListTopics 400 ... $xml_rid POST /' line"

echo "== dynamodb describe-table of a missing table (JSON 1.0) -> ResourceNotFoundException"
expect_fail 254 awscli dynamodb describe-table --table-name no-such-table
assert_contains "$ERR" "An error occurred (ResourceNotFoundException) when calling the DescribeTable operation"
# botocore verifies x-amz-crc32 for DynamoDB: a wrong checksum would surface as a CRC32 error
assert_not_contains "$ERR" "CRC32"

echo "== dynamodbstreams describe-stream (JSON 1.0, signs as dynamodb) -> ResourceNotFoundException"
expect_fail 254 awscli dynamodbstreams describe-stream \
    --stream-arn arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2026-01-01T00:00:00.000
assert_contains "$ERR" "(ResourceNotFoundException) when calling the DescribeStream operation"

echo "== logs describe-log-groups (JSON 1.1) -> UnknownOperationException"
expect_fail 254 awscli logs describe-log-groups
assert_contains "$ERR" "(UnknownOperationException) when calling the DescribeLogGroups operation"

echo "== lambda list-functions (REST-JSON) -> UnknownOperationException"
expect_fail 254 awscli lambda list-functions --debug
assert_contains "$ERR" "An error occurred (UnknownOperationException) when calling the ListFunctions operation"
assert_contains "$ERR" '"GET /2015-03-31/functions/ HTTP/1.1" 404'

echo "== apigateway get-rest-apis (REST-JSON) -> UnknownOperationException"
expect_fail 254 awscli apigateway get-rest-apis
assert_contains "$ERR" "(UnknownOperationException) when calling the GetRestApis operation"

echo "== daemon still healthy, stops cleanly"
curl -sf -o /dev/null "$AWSLET_URL/_awslet/health" || fail "health after the CLI calls"
stop_awslet
[ "$AWSLET_RC" -eq 0 ] || fail "awslet exited $AWSLET_RC on SIGTERM, want 0"
[ ! -e "$AWSLET_TMP/data/awslet.db-wal" ] || fail "awslet.db-wal left after a clean stop"

echo "PASS"
