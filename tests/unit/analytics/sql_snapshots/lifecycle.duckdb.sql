WITH "t4" AS (
  SELECT
    "t3"."user_id",
    "t3"."p",
    MIN("t3"."p") OVER (
      PARTITION BY "t3"."user_id"
      ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
    ) AS "first",
    LAG("t3"."p") OVER (
      PARTITION BY "t3"."user_id"
      ORDER BY "t3"."p" ASC
      ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
    ) AS "prev",
    LEAD("t3"."p") OVER (
      PARTITION BY "t3"."user_id"
      ORDER BY "t3"."p" ASC
      ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
    ) AS "nxt"
  FROM (
    SELECT DISTINCT
      "t1"."user_id",
      CAST(FLOOR(
        (
          CAST(FLOOR((
            EPOCH(CAST("t1"."timestamp" AS TIMESTAMP))
          ) / (
            86400
          )) AS BIGINT) + 25567
        ) / (
          7
        )
      ) AS BIGINT) AS "p"
    FROM "events" AS "t1"
    WHERE
      "t1"."timestamp" < MAKE_TIMESTAMP(2024, 4, 1, 0, 0, 0.0)
      AND "t1"."user_id" IS NOT NULL
  ) AS "t3"
)
SELECT
  *
FROM (
  SELECT
    "t2"."p",
    COALESCE("t10"."new", 0) AS "new",
    COALESCE("t10"."returning", 0) AS "returning",
    COALESCE("t10"."resurrecting", 0) AS "resurrecting",
    COALESCE("t10"."dormant", 0) AS "dormant"
  FROM "phq_periods_6470_6482" AS "t2"
  LEFT OUTER JOIN (
    SELECT
      "t8"."p",
      SUM("t8"."new") AS "new",
      SUM("t8"."returning") AS "returning",
      SUM("t8"."resurrecting") AS "resurrecting",
      SUM("t8"."dormant") AS "dormant"
    FROM (
      SELECT
        *
      FROM (
        SELECT
          "t5"."p",
          CASE WHEN "t5"."p" = "t5"."first" THEN 1 ELSE 0 END AS "new",
          CASE WHEN "t5"."prev" = (
            "t5"."p" - 1
          ) THEN 1 ELSE 0 END AS "returning",
          CASE
            WHEN NOT (
              "t5"."p" = "t5"."first"
            )
            AND NOT (
              COALESCE("t5"."prev" = (
                "t5"."p" - 1
              ), FALSE)
            )
            THEN 1
            ELSE 0
          END AS "resurrecting",
          0 AS "dormant"
        FROM "t4" AS "t5"
      ) AS "t7"
      UNION ALL
      SELECT
        *
      FROM (
        SELECT
          "t5"."p" + 1 AS "p",
          0 AS "new",
          0 AS "returning",
          0 AS "resurrecting",
          1 AS "dormant"
        FROM "t4" AS "t5"
        WHERE
          (
            "t5"."nxt" IS NULL
          ) OR (
            "t5"."nxt" > (
              "t5"."p" + 1
            )
          )
      ) AS "t6"
    ) AS "t8"
    GROUP BY
      1
  ) AS "t10"
    ON "t2"."p" = "t10"."p"
) AS "t11"
ORDER BY
  "t11"."p" ASC
