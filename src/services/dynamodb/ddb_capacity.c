/* ddb_capacity.c: capacity units as DynamoDB charges them, and the ConsumedCapacity object
 * that ReturnConsumedCapacity asks for (ddb_int.h, "consumed capacity").
 *
 * Developer guide ("Read/write capacity mode"): a read unit is one strongly consistent read
 * of up to 4 KB, half that for an eventually consistent one; a write unit is one write of up
 * to 1 KB; sizes round up to the next unit and every request consumes at least one. The
 * ConsumedCapacity of a single-item operation, Query or Scan carries the aggregate
 * CapacityUnits only: DynamoDB reports no Read/WriteCapacityUnits split there (transactions,
 * which both read and write, add it themselves). */
#include "services/dynamodb/ddb_int.h"

#include <string.h>

#define READ_UNIT_BYTES  4096
#define WRITE_UNIT_BYTES 1024

static size_t
units_of(size_t bytes, size_t unit)
{
    size_t n = (bytes + unit - 1) / unit;

    return n ? n : 1;
}

double
ddb_read_units(size_t bytes, bool consistent)
{
    double units = (double)units_of(bytes, READ_UNIT_BYTES);

    return consistent ? units : units / 2;
}

double
ddb_write_units(size_t bytes)
{
    return (double)units_of(bytes, WRITE_UNIT_BYTES);
}

/* {name: {"CapacityUnits": u}} for the INDEXES breakdown; adds the units up in *sum. */
static json_t *
index_map(const json_t *units, double *sum)
{
    json_t *map = json_object(), *v;
    const char *name;

    if (!map)
        return NULL;
    json_object_foreach((json_t *)units, name, v)
    {
        double u = json_number_value(v);
        *sum += u;
        if (json_object_set_new(map, name, json_pack("{s:f}", "CapacityUnits", u)) != 0) {
            json_decref(map);
            return NULL;
        }
    }
    return map;
}

json_t *
ddb_capacity_split(const char *mode, const char *table, double table_units, bool read,
                   const json_t *gsi_units, const json_t *lsi_units)
{
    bool indexes;
    double total = table_units;
    json_t *c, *gsi = NULL, *lsi = NULL;

    (void)read; /* the kind of units shows only in transactions' split, added by them */
    if (!mode)
        return NULL;
    if (strcmp(mode, "INDEXES") == 0)
        indexes = true;
    else if (strcmp(mode, "TOTAL") == 0)
        indexes = false;
    else
        return NULL;
    if (gsi_units && json_object_size(gsi_units) && !(gsi = index_map(gsi_units, &total)))
        return NULL;
    if (lsi_units && json_object_size(lsi_units) && !(lsi = index_map(lsi_units, &total))) {
        json_decref(gsi);
        return NULL;
    }
    c = json_pack("{s:s, s:f}", "TableName", table, "CapacityUnits", total);
    if (c && indexes) {
        if (json_object_set_new(c, "Table", json_pack("{s:f}", "CapacityUnits", table_units)) ||
            (gsi && json_object_set(c, "GlobalSecondaryIndexes", gsi)) ||
            (lsi && json_object_set(c, "LocalSecondaryIndexes", lsi))) {
            json_decref(c);
            c = NULL;
        }
    }
    json_decref(gsi);
    json_decref(lsi);
    return c;
}

json_t *
ddb_capacity(const char *mode, const char *table, double table_units, bool read,
             const json_t *index_units)
{
    return ddb_capacity_split(mode, table, table_units, read, index_units, NULL);
}
