/* admin.h: the daemon's own endpoints under /_awslet/ (health, reset, info, test clock). */
#ifndef AWSLET_ADMIN_H
#define AWSLET_ADMIN_H

#include "core/req.h"

/* Answer a /_awslet/ request: sets req->status, raw_body, raw_content_type. */
void admin_handle(struct awslet_req *req);
/* Load the persisted test-clock offset into the clock (start-up). 0 or -1. */
int admin_restore_clock(void);

#endif
