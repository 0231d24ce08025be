/* uuid.h: random (version 4) UUIDs for request ids, message ids and the like. */
#ifndef AWSLET_UUID_H
#define AWSLET_UUID_H

#include "awslet.h"

/* Write a lowercase version-4 UUID and its NUL into out. Thread-safe, no locking. */
void awslet_uuid(char out[AWSLET_UUID_LEN + 1]);

#endif
