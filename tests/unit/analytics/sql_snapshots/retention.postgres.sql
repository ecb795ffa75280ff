WITH "t11" AS (
  SELECT
    "t6"."user_id",
    MIN("t6"."p") AS "c"
  FROM (
    SELECT
      "t2"."event",
      "t2"."user_id",
      "t2"."anonymous_id",
      "t2"."group_id",
      "t2"."timestamp",
      "t2"."message_id",
      "t2"."properties",
      CAST(FLOOR(
        CAST((
          CAST(FLOOR(
            CAST((
              EXTRACT('epoch' FROM "t2"."timestamp")
            ) AS DOUBLE PRECISION) / (
              86400
            )
          ) AS BIGINT) + 25567
        ) AS DOUBLE PRECISION) / (
          7
        )
      ) AS BIGINT) AS "p"
    FROM "events" AS "t2"
    WHERE
      "t2"."timestamp" < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
      AND "t2"."timestamp" >= CAST('2024-01-01T00:00:00' AS TIMESTAMP)
      AND "t2"."user_id" IS NOT NULL
      AND "t2"."event" = 'signup'
  ) AS "t6"
  GROUP BY
    1
), "t17" AS (
  SELECT DISTINCT
    *
  FROM (
    SELECT
      "t9"."user_id",
      "t13"."c",
      "t9"."r" - "t13"."c" AS "k"
    FROM (
      SELECT DISTINCT
        "t2"."user_id",
        CAST(FLOOR(
          CAST((
            CAST(FLOOR(
              CAST((
                EXTRACT('epoch' FROM "t2"."timestamp")
              ) AS DOUBLE PRECISION) / (
                86400
              )
            ) AS BIGINT) + 25567
          ) AS DOUBLE PRECISION) / (
            7
          )
        ) AS BIGINT) AS "r"
      FROM "events" AS "t2"
      WHERE
        "t2"."timestamp" < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
        AND "t2"."timestamp" >= CAST('2024-01-01T00:00:00' AS TIMESTAMP)
        AND "t2"."user_id" IS NOT NULL
    ) AS "t9"
    INNER JOIN "t11" AS "t13"
      ON "t9"."user_id" = "t13"."user_id"
  ) AS "t16"
  WHERE
    "t16"."k" >= 1 AND "t16"."k" <= 12
)
SELECT
  "t25"."c" AS "cohort",
  "t25"."k" AS "period",
  "t25"."cohort_size",
  CASE WHEN "t25"."k" = 0 THEN "t25"."cohort_size" ELSE "t25"."retained" END AS "retained",
  CASE WHEN "t25"."k" = 0 THEN "t25"."cohort_size" ELSE "t25"."after" END AS "retained_unbounded"
FROM (
  SELECT
    "t24"."c",
    "t24"."k",
    "t24"."cohort_size",
    "t24"."retained",
    "t24"."n",
    SUM("t24"."n") OVER (
      PARTITION BY "t24"."c"
      ORDER BY "t24"."k" DESC NULLS LAST
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS "after"
  FROM (
    SELECT
      "t10"."c",
      "t10"."k",
      COALESCE("t15"."cohort_size", 0) AS "cohort_size",
      COALESCE("t21"."retained", 0) AS "retained",
      COALESCE("t23"."n", 0) AS "n"
    FROM (
      SELECT
        *
      FROM (
        SELECT
          "t3"."c",
          "t4"."k"
        FROM "phq_cohorts_6470_6482" AS "t3"
        CROSS JOIN "phq_offsets_0_12" AS "t4"
      ) AS "t5"
      WHERE
        (
          "t5"."c" + "t5"."k"
        ) <= 6482
    ) AS "t10"
    LEFT OUTER JOIN (
      SELECT
        "t12"."c",
        COUNT("t12"."user_id") AS "cohort_size"
      FROM "t11" AS "t12"
      GROUP BY
        1
    ) AS "t15"
      ON "t10"."c" = "t15"."c"
    LEFT OUTER JOIN (
      SELECT
        "t18"."c",
        "t18"."k",
        COUNT("t18"."user_id") AS "retained"
      FROM "t17" AS "t18"
      GROUP BY
        1,
        2
    ) AS "t21"
      ON "t10"."c" = "t21"."c" AND "t10"."k" = "t21"."k"
    LEFT OUTER JOIN (
      SELECT
        "t19"."c",
        "t19"."k",
        COUNT("t19"."user_id") AS "n"
      FROM (
        SELECT
          "t18"."user_id",
          "t18"."c",
          MAX("t18"."k") AS "k"
        FROM "t17" AS "t18"
        GROUP BY
          1,
          2
      ) AS "t19"
      GROUP BY
        1,
        2
    ) AS "t23"
      ON "t10"."c" = "t23"."c" AND "t10"."k" = "t23"."k"
  ) AS "t24"
) AS "t25"
ORDER BY
  "t25"."c" ASC,
  "t25"."k" ASC
