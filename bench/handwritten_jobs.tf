# The hand-written Terraform specs/layered_jobs.yaml replaces: the seed deployment's jobs module,
# nine Glue jobs that differ only in name, script and layer, over one shared block of settings and
# default arguments, plus the jobs' role. (Not generated, not applied: kept for the line count in
# the README's "Jobs in the spec" section. The workflow and its triggers came on top of this.)

variable "workflow_name" {
  type    = string
  default = "layered_jobs"
}

variable "tags" {
  type    = map(string)
  default = {}
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  assets = "s3://metriccare-glue-assets"

  jobs = {
    bronze_claims    = { layer = "bronze", script = "bronze/claims.py" }
    bronze_members   = { layer = "bronze", script = "bronze/members.py" }
    bronze_providers = { layer = "bronze", script = "bronze/providers.py" }
    silver_claims    = { layer = "silver", script = "silver/claims.py" }
    silver_members   = { layer = "silver", script = "silver/members.py" }
    silver_providers = { layer = "silver", script = "silver/providers.py" }
    gold_claims      = { layer = "gold", script = "gold/claims.py" }
    gold_members     = { layer = "gold", script = "gold/members.py" }
    gold_summary     = { layer = "gold", script = "gold/summary.py", workers = 4, timeout = 120, bookmark = "job-bookmark-disable" }
  }

  default_arguments = {
    "--enable-metrics"                   = ""
    "--enable-observability-metrics"     = "true"
    "--enable-continuous-cloudwatch-log" = "true"
    "--continuous-log-logGroup"          = "/aws-glue/jobs/metriccare"
    "--enable-spark-ui"                  = "true"
    "--spark-event-logs-path"            = "${local.assets}/sparkui/"
    "--TempDir"                          = "${local.assets}/temp/"
    "--datalake-formats"                 = "delta"
    "--conf"                             = "spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension --conf spark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog"
    "--enable-glue-datacatalog"          = "true"
    "--enable-job-insights"              = "true"
    "--enable-auto-scaling"              = "true"
    "--job-language"                     = "python"
    "--job-bookmark-option"              = "job-bookmark-enable"
    "--extra-py-files"                   = "${local.assets}/libs/metriccare_common.zip"
  }
}

resource "aws_glue_job" "this" {
  for_each = local.jobs

  name                   = "${var.workflow_name}-${each.key}"
  role_arn               = aws_iam_role.glue_jobs.arn
  glue_version           = "5.0"
  worker_type            = "G.1X"
  number_of_workers      = lookup(each.value, "workers", 2)
  max_retries            = 1
  timeout                = lookup(each.value, "timeout", 60)
  execution_class        = "STANDARD"
  security_configuration = "metriccare-glue"

  default_arguments = merge(local.default_arguments, {
    "--layer"               = each.value.layer
    "--job-bookmark-option" = lookup(each.value, "bookmark", "job-bookmark-enable")
  })

  command {
    name            = "glueetl"
    script_location = "${local.assets}/scripts/${each.value.script}"
  }

  tags = merge(var.tags, { Project = "MetricCare", Layer = each.value.layer })
}

data "aws_iam_policy_document" "glue_trust" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["glue.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "glue_jobs" {
  name               = "${var.workflow_name}-job"
  assume_role_policy = data.aws_iam_policy_document.glue_trust.json
  tags               = merge(var.tags, { Project = "MetricCare" })
}

resource "aws_iam_role_policy_attachment" "glue_service" {
  role       = aws_iam_role.glue_jobs.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWSGlueServiceRole"
}

data "aws_iam_policy_document" "glue_s3" {
  statement {
    actions = ["s3:GetObject"]
    resources = [
      "arn:${data.aws_partition.current.partition}:s3:::metriccare-glue-assets/scripts/*",
      "arn:${data.aws_partition.current.partition}:s3:::metriccare-glue-assets/libs/*",
    ]
  }

  statement {
    actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = [
      "arn:${data.aws_partition.current.partition}:s3:::metriccare-glue-assets/temp/*",
      "arn:${data.aws_partition.current.partition}:s3:::metriccare-glue-assets/sparkui/*",
    ]
  }

  statement {
    actions   = ["s3:ListBucket"]
    resources = ["arn:${data.aws_partition.current.partition}:s3:::metriccare-glue-assets"]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["temp/*", "sparkui/*"]
    }
  }
}

resource "aws_iam_role_policy" "glue_s3" {
  name   = "glue-s3"
  role   = aws_iam_role.glue_jobs.id
  policy = data.aws_iam_policy_document.glue_s3.json
}

output "job_names" {
  value = { for key, job in aws_glue_job.this : key => job.name }
}
