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
), "t18" AS (
  SELECT DISTINCT
    *
  FROM (
    SELECT
      "t12"."user_id",
      "t14"."c",
      "t12"."r" - "t14"."c" AS "k"
    FROM (
      SELECT
        "t7"."user_id",
        "t7"."p" AS "r"
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
          ) AS BIGINT) AS "p"
        FROM "events" AS "t2"
        WHERE
          "t2"."timestamp" < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
          AND "t2"."timestamp" >= CAST('2024-01-01T00:00:00' AS TIMESTAMP)
          AND "t2"."user_id" IS NOT NULL
      ) AS "t7"
    ) AS "t12"
    INNER JOIN "t11" AS "t14"
      ON "t12"."user_id" = "t14"."user_id"
  ) AS "t17"
  WHERE
    "t17"."k" >= 1 AND "t17"."k" <= 12
)
SELECT
  "t26"."c" AS "cohort",
  "t26"."k" AS "period",
  "t26"."cohort_size",
  CASE WHEN "t26"."k" = 0 THEN "t26"."cohort_size" ELSE "t26"."retained" END AS "retained",
  CASE WHEN "t26"."k" = 0 THEN "t26"."cohort_size" ELSE "t26"."after" END AS "retained_unbounded"
FROM (
  SELECT
    "t25"."c",
    "t25"."k",
    "t25"."cohort_size",
    "t25"."retained",
    "t25"."n",
    SUM("t25"."n") OVER (
      PARTITION BY "t25"."c"
      ORDER BY "t25"."k" DESC NULLS LAST
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS "after"
  FROM (
    SELECT
      "t9"."c",
      "t9"."k",
      COALESCE("t16"."cohort_size", 0) AS "cohort_size",
      COALESCE("t22"."retained", 0) AS "retained",
      COALESCE("t24"."n", 0) AS "n"
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
    ) AS "t9"
    LEFT OUTER JOIN (
      SELECT
        "t13"."c",
        COUNT("t13"."user_id") AS "cohort_size"
      FROM "t11" AS "t13"
      GROUP BY
        1
    ) AS "t16"
      ON "t9"."c" = "t16"."c"
    LEFT OUTER JOIN (
      SELECT
        "t19"."c",
        "t19"."k",
        COUNT("t19"."user_id") AS "retained"
      FROM "t18" AS "t19"
      GROUP BY
        1,
        2
    ) AS "t22"
      ON "t9"."c" = "t22"."c" AND "t9"."k" = "t22"."k"
    LEFT OUTER JOIN (
      SELECT
        "t20"."c",
        "t20"."k",
        COUNT("t20"."user_id") AS "n"
      FROM (
        SELECT
          "t19"."user_id",
          "t19"."c",
          MAX("t19"."k") AS "k"
        FROM "t18" AS "t19"
        GROUP BY
          1,
          2
      ) AS "t20"
      GROUP BY
        1,
        2
    ) AS "t24"
      ON "t9"."c" = "t24"."c" AND "t9"."k" = "t24"."k"
  ) AS "t25"
) AS "t26"
ORDER BY
  "t26"."c" ASC,
  "t26"."k" ASC
