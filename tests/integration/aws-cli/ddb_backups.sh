#!/usr/bin/env bash
# DynamoDB on-demand backups through Debian's aws-cli v2 (2.9.19): create-backup of a table with
# a GSI holding items of several types, describe-backup, list-backups by table, by time range
# (lower bound inclusive, upper exclusive, per API_ListBackups) and through the CLI's own
# paginator (ExclusiveStartBackupArn / LastEvaluatedBackupArn), restore-table-from-backup under
# a new name while the source has changed since the backup, `wait table-exists` on the restored
# table, every item and the index compared with the table as it was at backup time,
# delete-backup, describe-continuous-backups, and the errors as the CLI prints them (exit 254).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

start_awslet --test-clock
ARN_PREFIX=arn:aws:dynamodb:us-east-1:000000000000

jqr() { printf '%s' "$2" | jq -r "$1"; }
jqc() { printf '%s' "$2" | jq -cS "$1"; }
assert_eq() { [ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"; }
advance() { curl -sf -X POST -d "{\"advance_ms\": $1}" "$AWSLET_URL/_awslet/clock" >/dev/null \
    || fail "advancing the test clock"; }
# every item of a table, consistent, sorted by key, one canonical JSON array
all_items() {
    awscli dynamodb scan --table-name "$1" --consistent-read \
        | jq -cS '.Items | sort_by(.pk.S, (.sk.N | tonumber))'
}
# The CLI's line for a service error.  With AWS_MAX_ATTEMPTS=1 (lib.sh) botocore's standard retry
# mode marks every failed call MaxAttemptsReached, so the line names "max retries: 0".
cli_err() {
    printf 'An error occurred (%s) when calling the %s operation (reached max retries: 0): %s' \
        "$1" "$2" "$3"
}

echo "== a source table with a GSI; items of several types"
TABLE=$(awscli dynamodb create-table --table-name cli-bk \
    --attribute-definitions AttributeName=pk,AttributeType=S AttributeName=sk,AttributeType=N \
    AttributeName=kind,AttributeType=S \
    --key-schema AttributeName=pk,KeyType=HASH AttributeName=sk,KeyType=RANGE \
    --billing-mode PAY_PER_REQUEST \
    --global-secondary-indexes \
    'IndexName=by-kind,KeySchema=[{AttributeName=kind,KeyType=HASH},{AttributeName=sk,KeyType=RANGE}],Projection={ProjectionType=ALL}' \
    | jq .TableDescription)
awscli dynamodb wait table-exists --table-name cli-bk
TABLE_ID=$(jqr .TableId "$TABLE")
awscli dynamodb batch-write-item --request-items '{"cli-bk": [
  {"PutRequest": {"Item": {"pk": {"S": "a"}, "sk": {"N": "1"}, "kind": {"S": "text"},
     "s": {"S": "héllo"}, "n": {"N": "-12500.25"}, "blank": {"S": ""}}}},
  {"PutRequest": {"Item": {"pk": {"S": "a"}, "sk": {"N": "2"}, "kind": {"S": "bin"},
     "b": {"B": "AAH/"}, "bs": {"BS": ["AQ==", "Ag=="]}, "t": {"BOOL": true}, "f": {"BOOL": false},
     "z": {"NULL": true}}}},
  {"PutRequest": {"Item": {"pk": {"S": "a"}, "sk": {"N": "3"}, "kind": {"S": "text"},
     "ss": {"SS": ["x", "y"]}, "ns": {"NS": ["1", "2.5"]}}}},
  {"PutRequest": {"Item": {"pk": {"S": "b"}, "sk": {"N": "-7"},
     "m": {"M": {"in": {"L": [{"S": "x"}, {"N": "1"}, {"M": {"deep": {"NULL": true}}}]}}},
     "empty": {"L": []}, "em": {"M": {}}}}},
  {"PutRequest": {"Item": {"pk": {"S": "c"}, "sk": {"N": "1e3"}, "kind": {"S": "num"},
     "big": {"N": "12345678901234567890123456789012345678"}}}}
]}' >/dev/null
SNAP=$(all_items cli-bk)
assert_eq "$(jqr length "$SNAP")" 5 "items written"

echo "== create-backup answers AVAILABLE with the backup's details"
OUT=$(awscli dynamodb create-backup --table-name cli-bk --backup-name cli-bk-first)
BK1=$(jqr .BackupDetails.BackupArn "$OUT")
[[ $BK1 =~ ^$ARN_PREFIX:table/cli-bk/backup/[0-9]{14}-[0-9a-f]{8}$ ]] || fail "backup ARN $BK1"
assert_eq "$(jqr .BackupDetails.BackupName "$OUT")" cli-bk-first "backup name"
assert_eq "$(jqr .BackupDetails.BackupStatus "$OUT")" AVAILABLE "backup status"
assert_eq "$(jqr .BackupDetails.BackupType "$OUT")" USER "backup type"
[ "$(jqr .BackupDetails.BackupSizeBytes "$OUT")" -gt 0 ] || fail "BackupSizeBytes of 5 items: $OUT"
BK1_TIME=$(jqr .BackupDetails.BackupCreationDateTime "$OUT")
[[ $BK1_TIME =~ ^20[0-9]{2}-[0-9]{2}-[0-9]{2}T ]] || fail "creation time as the CLI prints it: $BK1_TIME"
BK1_DETAILS=$(jqc .BackupDetails "$OUT")

echo "== the source changes after the backup: the backup keeps the old state"
awscli dynamodb transact-write-items --transact-items '[
  {"Put": {"TableName": "cli-bk",
           "Item": {"pk": {"S": "d"}, "sk": {"N": "1"}, "kind": {"S": "text"}, "late": {"BOOL": true}}}},
  {"Delete": {"TableName": "cli-bk", "Key": {"pk": {"S": "a"}, "sk": {"N": "2"}}}},
  {"Update": {"TableName": "cli-bk", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}},
              "UpdateExpression": "SET s = :v", "ExpressionAttributeValues": {":v": {"S": "changed"}}}}]'
NOW=$(all_items cli-bk)
[ "$NOW" != "$SNAP" ] || fail "the source did not change"

echo "== describe-backup: details, source table, features"
OUT=$(awscli dynamodb describe-backup --backup-arn "$BK1")
assert_eq "$(jqc .BackupDescription.BackupDetails "$OUT")" "$BK1_DETAILS" "details as create-backup answered"
assert_eq "$(jqr .BackupDescription.SourceTableDetails.TableName "$OUT")" cli-bk "source table name"
assert_eq "$(jqr .BackupDescription.SourceTableDetails.TableArn "$OUT")" "$ARN_PREFIX:table/cli-bk" "source table ARN"
assert_eq "$(jqr .BackupDescription.SourceTableDetails.TableId "$OUT")" "$TABLE_ID" "source table id"
assert_eq "$(jqr .BackupDescription.SourceTableDetails.ItemCount "$OUT")" 5 "items at backup time"
assert_eq "$(jqr .BackupDescription.SourceTableDetails.BillingMode "$OUT")" PAY_PER_REQUEST "billing mode"
assert_eq "$(jqc .BackupDescription.SourceTableDetails.KeySchema "$OUT")" \
    "$(jqc .KeySchema "$TABLE")" "key schema"
assert_eq "$(jqc '.BackupDescription.SourceTableFeatureDetails.GlobalSecondaryIndexes | map(.IndexName)' "$OUT")" \
    '["by-kind"]' "GSI in the features"
assert_eq "$(jqc '.BackupDescription.SourceTableFeatureDetails.GlobalSecondaryIndexes[0].KeySchema' "$OUT")" \
    "$(jqc '.GlobalSecondaryIndexes[0].KeySchema' "$TABLE")" "GSI key schema"

echo "== more backups, of this table and another one, 10 s apart on the test clock"
awscli dynamodb create-table --table-name cli-other \
    --attribute-definitions AttributeName=id,AttributeType=S \
    --key-schema AttributeName=id,KeyType=HASH --billing-mode PAY_PER_REQUEST >/dev/null
awscli dynamodb wait table-exists --table-name cli-other
advance 10000
BK2=$(awscli dynamodb create-backup --table-name cli-other --backup-name other-1 \
    | jq -r .BackupDetails.BackupArn)
advance 10000
OUT=$(awscli dynamodb create-backup --table-name cli-bk --backup-name cli-bk-second)
BK3=$(jqr .BackupDetails.BackupArn "$OUT")
BK3_TIME=$(jqr .BackupDetails.BackupCreationDateTime "$OUT")

echo "== list-backups: all, by table name and ARN, by time range"
OUT=$(awscli dynamodb list-backups)
assert_eq "$(jqc '[.BackupSummaries[].BackupArn]' "$OUT")" "[\"$BK1\",\"$BK2\",\"$BK3\"]" "all backups, oldest first"
assert_eq "$(jqc '.BackupSummaries[0] | [.TableName, .TableId, .TableArn, .BackupName, .BackupStatus, .BackupType]' "$OUT")" \
    "[\"cli-bk\",\"$TABLE_ID\",\"$ARN_PREFIX:table/cli-bk\",\"cli-bk-first\",\"AVAILABLE\",\"USER\"]" "summary"
OUT=$(awscli dynamodb list-backups --table-name cli-bk)
assert_eq "$(jqc '[.BackupSummaries[].BackupArn]' "$OUT")" "[\"$BK1\",\"$BK3\"]" "by table name"
OUT=$(awscli dynamodb list-backups --table-name "$ARN_PREFIX:table/cli-other")
assert_eq "$(jqc '[.BackupSummaries[].BackupArn]' "$OUT")" "[\"$BK2\"]" "by table ARN"
# lower bound inclusive, upper bound exclusive
OUT=$(awscli dynamodb list-backups --time-range-lower-bound "$BK1_TIME" --time-range-upper-bound "$BK3_TIME")
assert_eq "$(jqc '[.BackupSummaries[].BackupArn]' "$OUT")" "[\"$BK1\",\"$BK2\"]" "time range [first, third)"
OUT=$(awscli dynamodb list-backups --table-name cli-bk --time-range-lower-bound "$BK3_TIME")
assert_eq "$(jqc '[.BackupSummaries[].BackupArn]' "$OUT")" "[\"$BK3\"]" "time range [third, ...)"

echo "== list-backups through the CLI's paginator"
# --page-size 1: the CLI follows LastEvaluatedBackupArn itself and merges the pages
OUT=$(awscli dynamodb list-backups --page-size 1)
assert_eq "$(jqc '[.BackupSummaries[].BackupArn]' "$OUT")" "[\"$BK1\",\"$BK2\",\"$BK3\"]" "pages of 1 merged"
OUT=$(awscli dynamodb list-backups --max-items 2)
assert_eq "$(jqc '[.BackupSummaries[].BackupArn]' "$OUT")" "[\"$BK1\",\"$BK2\"]" "max-items 2"
TOKEN=$(jqr '.NextToken // empty' "$OUT")
[ -n "$TOKEN" ] || fail "max-items left no NextToken: $OUT"
OUT=$(awscli dynamodb list-backups --max-items 2 --starting-token "$TOKEN")
assert_eq "$(jqc '[.BackupSummaries[].BackupArn]' "$OUT")" "[\"$BK3\"]" "starting-token"
assert_eq "$(jqr '.NextToken // "none"' "$OUT")" none "the last page has no NextToken"
# --no-paginate: one raw page with the service's LastEvaluatedBackupArn
OUT=$(awscli dynamodb list-backups --no-paginate --limit 1)
assert_eq "$(jqr .LastEvaluatedBackupArn "$OUT")" "$BK1" "LastEvaluatedBackupArn of a raw page"

echo "== restore-table-from-backup under a new name; wait table-exists"
OUT=$(awscli dynamodb restore-table-from-backup --target-table-name cli-bk-restored --backup-arn "$BK1")
assert_eq "$(jqr .TableDescription.TableName "$OUT")" cli-bk-restored "restored name"
assert_eq "$(jqr .TableDescription.TableStatus "$OUT")" CREATING "restore answers CREATING"
assert_eq "$(jqr .TableDescription.RestoreSummary.SourceBackupArn "$OUT")" "$BK1" "RestoreSummary backup"
assert_eq "$(jqr .TableDescription.RestoreSummary.SourceTableArn "$OUT")" "$ARN_PREFIX:table/cli-bk" "RestoreSummary table"
assert_eq "$(jqr .TableDescription.RestoreSummary.RestoreInProgress "$OUT")" true "restore in progress"
awscli dynamodb wait table-exists --table-name cli-bk-restored
OUT=$(awscli dynamodb describe-table --table-name cli-bk-restored)
assert_eq "$(jqr .Table.TableStatus "$OUT")" ACTIVE "restored table ACTIVE"
assert_eq "$(jqr .Table.TableArn "$OUT")" "$ARN_PREFIX:table/cli-bk-restored" "restored ARN"
[ "$(jqr .Table.TableId "$OUT")" != "$TABLE_ID" ] || fail "the restored table has the source's TableId"
assert_eq "$(jqr .Table.RestoreSummary.RestoreInProgress "$OUT")" false "restore done"
assert_eq "$(jqc .Table.KeySchema "$OUT")" "$(jqc .KeySchema "$TABLE")" "restored key schema"
assert_eq "$(jqr .Table.BillingModeSummary.BillingMode "$OUT")" PAY_PER_REQUEST "restored billing mode"
assert_eq "$(jqc '.Table.GlobalSecondaryIndexes | map([.IndexName, .IndexStatus, .Projection.ProjectionType])' "$OUT")" \
    '[["by-kind","ACTIVE","ALL"]]' "restored GSI"
assert_eq "$(jqr .Table.ItemCount "$OUT")" 5 "restored ItemCount"

echo "== scan both tables: the restored one holds exactly the items at backup time"
RESTORED=$(all_items cli-bk-restored)
assert_eq "$RESTORED" "$SNAP" "restored items equal the source at backup time"
# item by item, so a failure names the key
for i in $(seq 0 4); do
    assert_eq "$(jqc ".[$i]" "$RESTORED")" "$(jqc ".[$i]" "$SNAP")" "restored item $i"
done
assert_eq "$(jqr '.[] | select(.pk.S == "c") | .big.N' "$RESTORED")" 12345678901234567890123456789012345678 "38 digits"
assert_eq "$(jqr '.[] | select(.pk.S == "c") | .sk.N' "$RESTORED")" 1000 "normalized key number"
assert_eq "$(jqr '.[] | select(.pk.S == "a" and .sk.N == "2") | .b.B' "$RESTORED")" AAH/ "binary"
# the source moved on; the restored table did not follow it
assert_eq "$(jqr '.[] | select(.pk.S == "a" and .sk.N == "1") | .s.S' "$RESTORED")" héllo "pre-backup value"
assert_eq "$(jqr '[.[] | select(.pk.S == "d")] | length' "$RESTORED")" 0 "the post-backup item is absent"
# the GSI was rebuilt from the items
OUT=$(awscli dynamodb query --table-name cli-bk-restored --index-name by-kind \
    --key-condition-expression 'kind = :k' --expression-attribute-values '{":k":{"S":"text"}}')
assert_eq "$(jqc '[.Items[] | [.pk.S, .sk.N]]' "$OUT")" '[["a","1"],["a","3"]]' "restored GSI query"
assert_eq "$(jqc '.Items | sort_by(.sk.N)' "$OUT")" \
    "$(jqc '[.[] | select(.kind.S == "text")] | sort_by(.sk.N)' "$SNAP")" "GSI items in full"

echo "== restore onto an existing table -> TableAlreadyExistsException"
expect_fail 254 awscli dynamodb restore-table-from-backup --target-table-name cli-other --backup-arn "$BK1"
assert_contains "$ERR" "$(cli_err TableAlreadyExistsException RestoreTableFromBackup "Table already exists: cli-other")"

echo "== delete-backup answers DELETED; the backup is gone, the restored table stays"
OUT=$(awscli dynamodb delete-backup --backup-arn "$BK1")
assert_eq "$(jqr .BackupDescription.BackupDetails.BackupStatus "$OUT")" DELETED "delete-backup status"
assert_eq "$(jqr .BackupDescription.BackupDetails.BackupArn "$OUT")" "$BK1" "deleted ARN"
assert_eq "$(jqr .BackupDescription.SourceTableDetails.TableName "$OUT")" cli-bk "deleted backup's source"
OUT=$(awscli dynamodb list-backups)
assert_eq "$(jqc '[.BackupSummaries[].BackupArn]' "$OUT")" "[\"$BK2\",\"$BK3\"]" "list after delete"
expect_fail 254 awscli dynamodb describe-backup --backup-arn "$BK1"
assert_eq "$(printf '%s' "$ERR" | sed '/^$/d')" \
    "$(cli_err BackupNotFoundException DescribeBackup "Backup not found: $BK1")" "describe a deleted backup"
assert_eq "$OUT" "" "no stdout on error"

echo "== an unknown backup ARN -> BackupNotFoundException"
MISSING=$ARN_PREFIX:table/cli-bk/backup/01700000000000-0123abcd
expect_fail 254 awscli dynamodb describe-backup --backup-arn "$MISSING"
assert_eq "$(printf '%s' "$ERR" | sed '/^$/d')" \
    "$(cli_err BackupNotFoundException DescribeBackup "Backup not found: $MISSING")" "describe an unknown backup"
expect_fail 254 awscli dynamodb restore-table-from-backup --target-table-name cli-never --backup-arn "$MISSING"
assert_contains "$ERR" "$(cli_err BackupNotFoundException RestoreTableFromBackup "Backup not found: $MISSING")"

echo "== create-backup of a missing table -> TableNotFoundException"
expect_fail 254 awscli dynamodb create-backup --table-name cli-none --backup-name nothing
assert_contains "$ERR" "$(cli_err TableNotFoundException CreateBackup "Table not found: cli-none")"

echo "== describe-continuous-backups"
OUT=$(awscli dynamodb describe-continuous-backups --table-name cli-bk)
assert_eq "$(jqc .ContinuousBackupsDescription "$OUT")" \
    '{"ContinuousBackupsStatus":"ENABLED","PointInTimeRecoveryDescription":{"PointInTimeRecoveryStatus":"DISABLED"}}' \
    "continuous backups of the source"
expect_fail 254 awscli dynamodb describe-continuous-backups --table-name cli-none
assert_contains "$ERR" "$(cli_err TableNotFoundException DescribeContinuousBackups "Table not found: cli-none")"

echo "== backups outlive their table; the restored table outlives its backup"
awscli dynamodb delete-table --table-name cli-bk >/dev/null
OUT=$(awscli dynamodb list-backups --table-name cli-bk)
assert_eq "$(jqc '[.BackupSummaries[].BackupArn]' "$OUT")" "[\"$BK3\"]" "backups of a deleted table"
awscli dynamodb restore-table-from-backup --target-table-name cli-bk --backup-arn "$BK3" >/dev/null
awscli dynamodb wait table-exists --table-name cli-bk
assert_eq "$(all_items cli-bk)" "$NOW" "the second backup restored under the source's own name"
assert_eq "$(all_items cli-bk-restored)" "$SNAP" "the table restored from the deleted backup"

stop_awslet
[ "$AWSLET_FAILED" -eq 0 ] || exit 1
echo "PASS"
