SELECT
  *
FROM (
  SELECT
    "t5"."user_id",
    CAST(EXTRACT('epoch' FROM "t5"."first_use") - EXTRACT('epoch' FROM "t6"."first_seen") AS DOUBLE PRECISION) AS "seconds"
  FROM (
    SELECT
      "t1"."user_id",
      MIN("t1"."timestamp") AS "first_use"
    FROM (
      SELECT
        *
      FROM "events" AS "t0"
      WHERE
        "t0"."timestamp" < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
        AND "t0"."user_id" IS NOT NULL
        AND "t0"."event" IN ('')
    ) AS "t1"
    GROUP BY
      1
  ) AS "t5"
  INNER JOIN (
    SELECT
      "t2"."user_id",
      MIN("t2"."timestamp") AS "first_seen"
    FROM (
      SELECT
        *
      FROM "events" AS "t0"
      WHERE
        "t0"."timestamp" < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
        AND "t0"."user_id" IS NOT NULL
    ) AS "t2"
    GROUP BY
      1
  ) AS "t6"
    ON "t5"."user_id" = "t6"."user_id"
) AS "t7"
WHERE
  "t7"."seconds" >= 0
