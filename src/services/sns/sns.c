/* sns.c: the SNS service descriptor and its operation table.
 *
 * SNS speaks the query protocol only (Version 2010-03-31, XML in the SNS namespace); its
 * shapes come from sns_model.c. The operations arrive with the SNS issue; until a row exists
 * here an operation answers InvalidAction. */
#include "services/models.h"
#include "services/service.h"

const struct awslet_service awslet_service_sns = {
    .name = "sns",
    .query_version = "2010-03-31",
    .protocols = PROTO_QUERY,
    .model = &model_sns,
    .ops = NULL, /* no operation implemented yet */
    .n_ops = 0,
};
