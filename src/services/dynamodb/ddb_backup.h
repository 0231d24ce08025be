/* ddb_backup.h: what the on-demand backup files share: ddb_backup.c (CreateBackup,
 * DescribeBackup, ListBackups, DeleteBackup, DescribeContinuousBackups, the backup record)
 * and ddb_restore.c (RestoreTableFromBackup).
 *
 * A backup is a ddb_backups row (the source table's names, its stored TableDescription and
 * TTL attribute as they were) and a copy of the table's ddb_items rows in ddb_backup_items,
 * both written in the CreateBackup write transaction: the backup is the table at one
 * instant, and it is durable once acknowledged. Backups outlive their table. */
#ifndef AWSLET_DDB_BACKUP_H
#define AWSLET_DDB_BACKUP_H

#include <stddef.h>

#include <jansson.h>
#include <sqlite3.h>

#include "services/dynamodb/ddb_int.h"

/* BackupArn: 37 to 1024 characters (the model's BackupArn shape). */
#define DDB_BACKUP_ARN_MIN 37
#define DDB_BACKUP_ARN_MAX 1024

/* One backup as stored. Strings live in the request's arena; desc is a new reference. */
struct ddb_backup {
    long long id; /* ddb_backups.id (ddb_backup_items.bid) */
    const char *arn, *name;
    const char *type; /* USER */
    const char *table_name, *table_arn, *table_id;
    long long created_ms; /* BackupCreationDateTime */
    long long size_bytes; /* BackupSizeBytes, TableSizeBytes */
    long long item_count;
    json_t *desc;         /* the source table's stored TableDescription */
    const char *ttl_attr; /* TTL attribute if TTL was enabled, else NULL */
};

/* The backup with that ARN in the request's account and region. Fails the request with
 * BackupNotFoundException ("Backup not found: <arn>") and returns -1 when there is none.
 * Release with ddb_backup_release(). */
int ddb_backup_find(struct awslet_req *req, sqlite3 *db, const char *arn, struct ddb_backup *b);
void ddb_backup_release(struct ddb_backup *b);

/* BackupArn as a request member (required, 37..1024 characters) into a. */
const char *ddb_backup_arn_arg(struct ddb_args *a, const json_t *in, const char *member,
                               const char *at);

/* ---- pure helpers (unit-tested) -------------------------------------------------------------- */

/* A backup's ARN: arn:aws:dynamodb:<region>:<account>:table/<table>/backup/<ms>-<suffix>,
 * the milliseconds zero-padded to 14 digits as DynamoDB's are (01681997703770-aa93528e).
 * 0, or -1 if it does not fit in n. */
int ddb_backup_arn_format(char *out, size_t n, const char *region, const char *account,
                          const char *table, long long ms, const char *suffix8);
/* The creation milliseconds inside a backup ARN, or -1 when arn is not shaped like one. */
long long ddb_backup_arn_ms(const char *arn);
/* A ListBackups time bound (epoch seconds, a JSON number) in milliseconds, rounded to the
 * nearest millisecond. */
long long ddb_backup_bound_ms(const json_t *v);

/* The CreateTable input that re-creates a backed-up table (stored description desc) as
 * target, with RestoreTableFromBackup's overrides from in applied: BillingModeOverride,
 * ProvisionedThroughputOverride, OnDemandThroughputOverride, GlobalSecondaryIndexOverride,
 * LocalSecondaryIndexOverride, SSESpecificationOverride. Streams, TTL, tags and deletion
 * protection are not restored (API_RestoreTableFromBackup). AttributeDefinitions keep only
 * the attributes some remaining key uses. New reference, or NULL without memory. */
json_t *ddb_restore_input(const json_t *desc, const json_t *in, const char *target);

/* The BackupDetails and BackupDescription of b with BackupStatus status (AVAILABLE,
 * DELETED). New references or NULL. */
json_t *ddb_backup_details(const struct ddb_backup *b, const char *status);
json_t *ddb_backup_description(const struct ddb_backup *b, const char *status);

#endif
