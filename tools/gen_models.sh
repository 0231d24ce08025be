#!/bin/sh
# gen_models.sh: regenerate the committed C models (src/services/*/*_model.c) from AWS's
# botocore service-2 files. Run from anywhere at development time; the output is committed.
# SQS comes from the query-protocol model that Debian's aws-cli v2 bundles (the query wire
# SQS still has to speak), plus the operations it predates (the message move tasks) merged in
# from the installed botocore's JSON-protocol model; the rest from the installed botocore.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

botocore=$(python3 -c "import botocore,os;print(os.path.dirname(botocore.__file__))")
data="$botocore/data"
sqs_query=${SQS_QUERY_MODEL:-/usr/lib/python3/dist-packages/awscli/botocore/data/sqs/2012-11-05/service-2.json}

gen() {
    python3 tools/gen_model.py "$@"
    for out; do :; done # the last argument
    echo "wrote $out"
}

gen --merge-missing-from "$data/sqs/2012-11-05/service-2.json.gz" \
    "$sqs_query" model_sqs_query src/services/sqs/sqs_model.c
gen "$data/sns/2010-03-31/service-2.json.gz" model_sns src/services/sns/sns_model.c
gen "$data/lambda/2015-03-31/service-2.json.gz" model_lambda src/services/lambda/lambda_model.c
gen "$data/apigateway/2015-07-09/service-2.json.gz" model_apigateway \
    src/services/apigateway/apigateway_model.c
