SELECT
  "t13"."p",
  "t13"."ending_mrr" - "t13"."net" AS "starting_mrr",
  "t13"."new_mrr",
  "t13"."expansion_mrr",
  "t13"."contraction_mrr",
  "t13"."churned_mrr",
  "t13"."reactivation_mrr",
  "t13"."ending_mrr",
  "t13"."new_customers",
  "t13"."expansion_customers",
  "t13"."contraction_customers",
  "t13"."churned_customers",
  "t13"."reactivation_customers",
  "t13"."paying_end" - "t13"."paying_delta" AS "paying_start",
  "t13"."paying_end"
FROM (
  SELECT
    "t12"."p",
    "t12"."new_mrr",
    "t12"."new_customers",
    "t12"."expansion_mrr",
    "t12"."expansion_customers",
    "t12"."contraction_mrr",
    "t12"."contraction_customers",
    "t12"."churned_mrr",
    "t12"."churned_customers",
    "t12"."reactivation_mrr",
    "t12"."reactivation_customers",
    "t12"."net",
    "t12"."paying_delta",
    SUM("t12"."net") OVER (ORDER BY "t12"."p" ASC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "ending_mrr",
    SUM("t12"."paying_delta") OVER (ORDER BY "t12"."p" ASC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "paying_end"
  FROM (
    SELECT
      "t2"."p",
      COALESCE("t11"."new_mrr", 0) AS "new_mrr",
      COALESCE("t11"."new_customers", 0) AS "new_customers",
      COALESCE("t11"."expansion_mrr", 0) AS "expansion_mrr",
      COALESCE("t11"."expansion_customers", 0) AS "expansion_customers",
      COALESCE("t11"."contraction_mrr", 0) AS "contraction_mrr",
      COALESCE("t11"."contraction_customers", 0) AS "contraction_customers",
      COALESCE("t11"."churned_mrr", 0) AS "churned_mrr",
      COALESCE("t11"."churned_customers", 0) AS "churned_customers",
      COALESCE("t11"."reactivation_mrr", 0) AS "reactivation_mrr",
      COALESCE("t11"."reactivation_customers", 0) AS "reactivation_customers",
      COALESCE("t11"."net", 0) AS "net",
      COALESCE("t11"."paying_delta", 0) AS "paying_delta"
    FROM "phq_months_24287_24290" AS "t2"
    LEFT OUTER JOIN (
      SELECT
        "t9"."p",
        SUM("t9"."new_mrr") AS "new_mrr",
        SUM("t9"."new_customers") AS "new_customers",
        SUM("t9"."expansion_mrr") AS "expansion_mrr",
        SUM("t9"."expansion_customers") AS "expansion_customers",
        SUM("t9"."contraction_mrr") AS "contraction_mrr",
        SUM("t9"."contraction_customers") AS "contraction_customers",
        SUM("t9"."churned_mrr") AS "churned_mrr",
        SUM("t9"."churned_customers") AS "churned_customers",
        SUM("t9"."reactivation_mrr") AS "reactivation_mrr",
        SUM("t9"."reactivation_customers") AS "reactivation_customers",
        SUM("t9"."net") AS "net",
        SUM("t9"."paying_delta") AS "paying_delta"
      FROM (
        SELECT
          GREATEST("t8"."p", 24287) AS "p",
          CASE
            WHEN (
              "t8"."prev" = 0
            ) AND (
              "t8"."cur" > 0
            ) AND NOT (
              "t8"."had_before"
            )
            THEN "t8"."cur"
            ELSE 0
          END AS "new_mrr",
          CASE
            WHEN (
              "t8"."prev" = 0
            ) AND (
              "t8"."cur" > 0
            ) AND NOT (
              "t8"."had_before"
            )
            THEN 1
            ELSE 0
          END AS "new_customers",
          CASE
            WHEN (
              "t8"."prev" > 0
            ) AND (
              "t8"."cur" > "t8"."prev"
            )
            THEN "t8"."cur" - "t8"."prev"
            ELSE 0
          END AS "expansion_mrr",
          CASE WHEN (
            "t8"."prev" > 0
          ) AND (
            "t8"."cur" > "t8"."prev"
          ) THEN 1 ELSE 0 END AS "expansion_customers",
          CASE
            WHEN (
              "t8"."prev" > 0
            ) AND (
              "t8"."cur" > 0
            ) AND (
              "t8"."cur" < "t8"."prev"
            )
            THEN "t8"."prev" - "t8"."cur"
            ELSE 0
          END AS "contraction_mrr",
          CASE
            WHEN (
              "t8"."prev" > 0
            ) AND (
              "t8"."cur" > 0
            ) AND (
              "t8"."cur" < "t8"."prev"
            )
            THEN 1
            ELSE 0
          END AS "contraction_customers",
          CASE WHEN (
            "t8"."prev" > 0
          ) AND (
            "t8"."cur" = 0
          ) THEN "t8"."prev" ELSE 0 END AS "churned_mrr",
          CASE WHEN (
            "t8"."prev" > 0
          ) AND (
            "t8"."cur" = 0
          ) THEN 1 ELSE 0 END AS "churned_customers",
          CASE
            WHEN (
              "t8"."prev" = 0
            ) AND (
              "t8"."cur" > 0
            ) AND "t8"."had_before"
            THEN "t8"."cur"
            ELSE 0
          END AS "reactivation_mrr",
          CASE
            WHEN (
              "t8"."prev" = 0
            ) AND (
              "t8"."cur" > 0
            ) AND "t8"."had_before"
            THEN 1
            ELSE 0
          END AS "reactivation_customers",
          "t8"."cur" - "t8"."prev" AS "net",
          CASE WHEN "t8"."cur" > 0 THEN 1 ELSE 0 END - CASE WHEN "t8"."prev" > 0 THEN 1 ELSE 0 END AS "paying_delta"
        FROM (
          SELECT
            "t7"."customer",
            "t7"."p",
            "t7"."cur",
            COALESCE(
              LAG("t7"."cur") OVER (
                PARTITION BY "t7"."customer"
                ORDER BY "t7"."p" ASC
                ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
              ),
              0
            ) AS "prev",
            COALESCE(
              LAG("t7"."peak") OVER (
                PARTITION BY "t7"."customer"
                ORDER BY "t7"."p" ASC
                ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
              ),
              0
            ) > 0 AS "had_before"
          FROM (
            SELECT
              "t6"."customer",
              "t6"."p",
              "t6"."cur",
              MAX("t6"."cur") OVER (
                PARTITION BY "t6"."customer"
                ORDER BY "t6"."p" ASC
                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
              ) AS "peak"
            FROM (
              SELECT
                "t5"."customer",
                "t5"."p",
                "t5"."cents" AS "cur"
              FROM (
                SELECT
                  "t4"."customer",
                  "t4"."p",
                  "t4"."ts",
                  "t4"."message_id",
                  "t4"."cents",
                  ROW_NUMBER() OVER (
                    PARTITION BY "t4"."customer", "t4"."p"
                    ORDER BY "t4"."ts" DESC, "t4"."message_id" DESC
                    ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                  ) - 1 AS "rn"
                FROM (
                  SELECT
                    *
                  FROM (
                    SELECT
                      "t1"."user_id" AS "customer",
                      (
                        (
                          EXTRACT(year FROM "t1"."timestamp") * 12
                        ) + EXTRACT(month FROM "t1"."timestamp")
                      ) - 1 AS "p",
                      "t1"."timestamp" AS "ts",
                      "t1"."message_id",
                      CAST(ROUND(
                        CASE
                          WHEN "t1"."event" IN ('subscription_cancelled')
                          THEN COALESCE(CAST(CAST("t1"."properties" -> '$.mrr' AS TEXT) AS DOUBLE), 0.0)
                          ELSE CAST(CAST("t1"."properties" -> '$.mrr' AS TEXT) AS DOUBLE)
                        END * 100,
                        0
                      ) AS BIGINT) AS "cents"
                    FROM "events" AS "t1"
                    WHERE
                      "t1"."timestamp" < MAKE_TIMESTAMP(2024, 4, 1, 0, 0, 0.0)
                      AND "t1"."event" IN ('subscription_started', 'subscription_changed', 'subscription_cancelled')
                  ) AS "t3"
                  WHERE
                    "t3"."customer" IS NOT NULL AND "t3"."cents" IS NOT NULL
                ) AS "t4"
              ) AS "t5"
              WHERE
                "t5"."rn" = 0
            ) AS "t6"
          ) AS "t7"
        ) AS "t8"
      ) AS "t9"
      GROUP BY
        1
    ) AS "t11"
      ON "t2"."p" = "t11"."p"
  ) AS "t12"
) AS "t13"
WHERE
  "t13"."p" >= 24288
ORDER BY
  "t13"."p" ASC
