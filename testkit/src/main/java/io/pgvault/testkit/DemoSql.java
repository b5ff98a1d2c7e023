package io.pgvault.testkit;

/** The SQL scripts behind {@link DemoDatabase}, kept apart from the code that runs them. */
final class DemoSql {

    /** A small web shop; {@code ${scale}} multiplies the row counts. */
    static final String REALISTIC = """
            BEGIN;
            CREATE SCHEMA shop;
            COMMENT ON SCHEMA shop IS 'A small web shop: customers, products, orders and an audit trail.';
            CREATE TYPE shop.order_status AS ENUM ('new', 'paid', 'shipped', 'delivered', 'cancelled');
            CREATE TABLE shop.customers (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                email text NOT NULL UNIQUE,
                full_name text NOT NULL,
                country char(2) NOT NULL,
                created_at timestamptz NOT NULL,
                marketing_opt_in boolean NOT NULL DEFAULT false
            );
            CREATE TABLE shop.products (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                sku text NOT NULL UNIQUE,
                name text NOT NULL,
                price numeric(10,2) NOT NULL CHECK (price >= 0),
                tags text[] NOT NULL DEFAULT '{}',
                attributes jsonb NOT NULL DEFAULT '{}'
            );
            CREATE TABLE shop.orders (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                customer_id bigint NOT NULL REFERENCES shop.customers(id),
                status shop.order_status NOT NULL DEFAULT 'new',
                ordered_at timestamptz NOT NULL,
                shipped_at timestamptz,
                note text
            );
            CREATE INDEX orders_customer_idx ON shop.orders (customer_id);
            CREATE INDEX orders_ordered_at_idx ON shop.orders (ordered_at);
            CREATE TABLE shop.order_items (
                order_id bigint NOT NULL REFERENCES shop.orders(id) ON DELETE CASCADE,
                line_no int NOT NULL,
                product_id bigint NOT NULL REFERENCES shop.products(id),
                quantity int NOT NULL CHECK (quantity > 0),
                unit_price numeric(10,2) NOT NULL,
                PRIMARY KEY (order_id, line_no)
            );
            CREATE INDEX order_items_product_idx ON shop.order_items (product_id);
            CREATE TABLE shop.audit_log (
                id bigserial PRIMARY KEY,
                table_name text NOT NULL,
                action text NOT NULL,
                row_data jsonb NOT NULL,
                logged_at timestamptz NOT NULL
            );
            CREATE INDEX audit_log_row_data_idx ON shop.audit_log USING gin (row_data);

            CREATE FUNCTION shop.audit() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO shop.audit_log (table_name, action, row_data, logged_at)
                VALUES (TG_TABLE_NAME, TG_OP, to_jsonb(NEW), NEW.ordered_at);
                RETURN NEW;
            END
            $$;
            CREATE TRIGGER orders_audit AFTER INSERT OR UPDATE ON shop.orders FOR EACH ROW EXECUTE FUNCTION shop.audit();

            CREATE FUNCTION shop.order_total(p_order bigint) RETURNS numeric LANGUAGE sql STABLE AS $$
                SELECT coalesce(sum(quantity * unit_price), 0) FROM shop.order_items WHERE order_id = p_order
            $$;

            INSERT INTO shop.customers (email, full_name, country, created_at, marketing_opt_in)
            SELECT 'customer' || i || '@example.com',
                   (ARRAY['Ada','Alan','Grace','Edsger','Barbara','Donald','Frances','Ken','Margaret','Niklaus'])[1 + i % 10]
                     || ' ' || (ARRAY['Lovelace','Turing','Hopper','Dijkstra','Liskov','Knuth','Allen','Thompson','Hamilton','Wirth'])[1 + (i / 10) % 10],
                   (ARRAY['DE','FR','US','GB','JP','BR','IN','NL','SE','ES'])[1 + (i * 7) % 10],
                   timestamptz '2024-01-01 00:00:00+00' + i * interval '37 minutes',
                   i % 3 = 0
            FROM generate_series(1, 1000 * ${scale}) AS i;

            INSERT INTO shop.products (sku, name, price, tags, attributes)
            SELECT 'SKU-' || lpad(i::text, 6, '0'),
                   (ARRAY['Widget','Gadget','Gizmo','Doohickey','Thingamajig'])[1 + i % 5] || ' ' || i,
                   round((1 + (i * 7919) % 50000 / 100.0)::numeric, 2),
                   ARRAY[(ARRAY['red','green','blue','black'])[1 + i % 4], (ARRAY['small','large'])[1 + i % 2]],
                   jsonb_build_object('weight_g', 50 + (i * 31) % 2000, 'fragile', i % 7 = 0, 'origin', (ARRAY['DE','CN','US'])[1 + i % 3])
            FROM generate_series(1, 200 * ${scale}) AS i;

            INSERT INTO shop.orders (customer_id, status, ordered_at, shipped_at, note)
            SELECT 1 + (i * 7) % (1000 * ${scale}),
                   (ARRAY['new','paid','shipped','delivered','cancelled']::shop.order_status[])[1 + i % 5],
                   timestamptz '2024-02-01 00:00:00+00' + i * interval '11 minutes 7 seconds',
                   CASE WHEN i % 5 IN (2, 3) THEN timestamptz '2024-02-02 00:00:00+00' + i * interval '11 minutes 7 seconds' END,
                   CASE WHEN i % 13 = 0 THEN 'please ring twice' END
            FROM generate_series(1, 3000 * ${scale}) AS i;

            INSERT INTO shop.order_items (order_id, line_no, product_id, quantity, unit_price)
            SELECT o.id, l, p.id, 1 + (o.id + l) % 4, p.price
            FROM shop.orders o
            CROSS JOIN generate_series(1, 3) AS l
            JOIN shop.products p ON p.id = 1 + (o.id * 13 + l * 101) % (200 * ${scale});

            UPDATE shop.orders SET status = 'delivered' WHERE id % 97 = 0;

            CREATE VIEW shop.order_summary AS
            SELECT o.id AS order_id, c.email, o.status, o.ordered_at, shop.order_total(o.id) AS total
            FROM shop.orders o JOIN shop.customers c ON c.id = o.customer_id;
            COMMIT;
            ANALYZE shop.customers, shop.products, shop.orders, shop.order_items, shop.audit_log;
            """;

    /** Every hard case for a logical round trip that fits in one quick script; needs the roles created first. */
    static final String AWKWARD = """
            BEGIN;
            CREATE SCHEMA app;
            CREATE SCHEMA "données";
            CREATE SCHEMA "Mixed Case ""Schema""\";
            CREATE SCHEMA bulk;
            COMMENT ON SCHEMA "données" IS 'Schéma aux données accentuées — ユーザー 🐘';

            -- types: enum, domain, composite
            CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy', 'ünïcødé 😀');
            CREATE DOMAIN app.email AS text CHECK (VALUE ~ '^[^@]+@[^@]+$');
            CREATE DOMAIN app.positive_int AS integer NOT NULL CHECK (VALUE > 0);
            CREATE TYPE app.address AS (street text, city text, zip varchar(10));

            -- unicode identifiers: schema, table, columns with spaces and quotes
            CREATE TABLE "données"."ユーザー" (
                "id" integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                "名前" text NOT NULL,
                "column with spaces" text,
                "col ""quoted"" 'single'" text,
                "Ünïcødé Çolumn" text
            );
            COMMENT ON TABLE "données"."ユーザー" IS 'ユーザー table: 利用者 — «données» 👩‍💻';
            COMMENT ON COLUMN "données"."ユーザー"."名前" IS 'name in 日本語';
            INSERT INTO "données"."ユーザー" ("名前", "column with spaces", "col ""quoted"" 'single'", "Ünïcødé Çolumn") VALUES
                ('山田太郎', 'spaces  inside', 'it''s "quoted"', 'Ünïcødé'),
                ('😀👍🏽👨‍👩‍👧‍👦', 'emoji and ZWJ sequences', NULL, ''),
                ('שלום עולם', 'right-to-left', 'مرحبا بالعالم', U&'\\202Bembedded RTL\\202C'),
                (U&'e\\0301 vs \\00E9', 'combining vs precomposed', U&'A\\030A\\0301', U&'\\FB01 ligature'),
                ('tab' || chr(9) || 'newline' || chr(10) || 'cr' || chr(13) || 'end', 'control characters', '\\.', '\\'),
                ('backslash \\N and \\\\N', 'copy escapes', 'line1' || chr(10) || 'line2' || chr(13) || chr(10), 'null-ish: NULL \\N'),
                ('', 'empty string', '', NULL),
                ('   ', 'only spaces', NULL, NULL);
            CREATE TABLE "Mixed Case ""Schema""\"."Table.With.Dots" ("Select" int, "from" text, "ALLCAPS" text);
            INSERT INTO "Mixed Case ""Schema""\"."Table.With.Dots" VALUES (1, 'reserved words', 'ALLCAPS'), (2, NULL, '');

            -- NULL versus empty, every byte value, special numbers, arrays, composites, jsonb
            CREATE TABLE app.values (
                id integer PRIMARY KEY,
                t text,
                b bytea,
                n numeric,
                f double precision,
                r real,
                ts timestamptz,
                d date,
                iv interval,
                ia integer[],
                ta text[],
                m2 integer[][],
                addr app.address,
                mood app.mood,
                j jsonb,
                js json,
                u uuid,
                rng int4range,
                bits bit varying(16),
                ip inet,
                x xml
            );
            INSERT INTO app.values VALUES
                (1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                (2, '', '', 0, 0, 0, 'epoch', '1970-01-01', '0', '{}', '{}', '{}', ROW(NULL, NULL, NULL), 'sad', '{}', '{}',
                    '00000000-0000-0000-0000-000000000000', 'empty', B'', '0.0.0.0', ''),
                (3, 'all bytes', (SELECT string_agg(set_byte('\\x00'::bytea, 0, i), ''::bytea ORDER BY i) FROM generate_series(0, 255) i),
                    'NaN', 'NaN', '-Infinity', 'infinity', '-infinity', '178000000 years', '{1,NULL,3}', ARRAY['', NULL, 'NULL', 'a,b', '"q"', '{x}'],
                    '{{1,2},{3,4}}', ROW('Rue de l''Église 1', 'Zürich', '8001'), 'ünïcødé 😀',
                    '{"ключ": "значение", "emoji": "🐘", "nested": {"a": [1, 2.5, null, true, "x"]}, "": ""}',
                    '{"dup": 1, "dup": 2}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '[1,10)', B'1010', '::1', '<a b="1">Ü &amp; ü</a>'),
                (4, repeat('long text ', 10000), decode(repeat('deadbeef', 4096), 'hex'), 12345678901234567890.123456789012345678901234567890,
                    -0.0, 3.4e38, '2000-02-29 23:59:59.999999+14', '4713-01-01 BC', '-1 day +02:03:04.5', ARRAY[-2147483648, 2147483647], ARRAY['ü', '😀'],
                    '[0:1][5:6]={{1,2},{3,4}}', ROW('', '', ''), 'happy', '[]', 'null', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '(,)', B'1111111111111111',
                    '2001:db8::/32', NULL);

            -- sequences advanced mid-way, identity columns (always / by default, custom start and increment)
            CREATE SEQUENCE app.invoice_no START 1000 INCREMENT 7;
            SELECT setval('app.invoice_no', 424242, true);
            CREATE SEQUENCE app.not_called_yet;
            SELECT setval('app.not_called_yet', 77, false);
            CREATE TABLE app.tickets (
                id bigint GENERATED ALWAYS AS IDENTITY (START WITH 100 INCREMENT BY 10) PRIMARY KEY,
                alt_id integer GENERATED BY DEFAULT AS IDENTITY,
                serial_no serial,
                invoice bigint NOT NULL DEFAULT nextval('app.invoice_no'),
                mood app.mood NOT NULL DEFAULT 'ok',
                contact app.email,
                seats app.positive_int DEFAULT 1
            );
            INSERT INTO app.tickets (contact) SELECT 'user' || i || '@example.org' FROM generate_series(1, 25) i;
            DELETE FROM app.tickets WHERE id % 30 = 0;
            INSERT INTO app.tickets (alt_id, contact) OVERRIDING SYSTEM VALUE VALUES (9999, 'override@example.org');
            SELECT setval(pg_get_serial_sequence('app.tickets', 'serial_no'), 5000);

            -- a table with a generated column, a check constraint and a unique constraint
            CREATE TABLE app.line_items (
                id integer PRIMARY KEY,
                qty integer NOT NULL CHECK (qty >= 0),
                unit_price numeric(12,2) NOT NULL,
                total numeric(14,2) GENERATED ALWAYS AS (qty * unit_price) STORED,
                sku text UNIQUE
            );
            INSERT INTO app.line_items (id, qty, unit_price, sku) SELECT i, i % 7, i * 1.25, 'SKU' || i FROM generate_series(1, 50) i;

            -- a partitioned table: range partitions plus a default partition
            CREATE TABLE app.events (
                id bigint NOT NULL,
                happened_at timestamptz NOT NULL,
                kind text NOT NULL,
                payload jsonb,
                PRIMARY KEY (id, happened_at)
            ) PARTITION BY RANGE (happened_at);
            CREATE TABLE app.events_2024_h1 PARTITION OF app.events FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');
            CREATE TABLE app.events_2024_h2 PARTITION OF app.events FOR VALUES FROM ('2024-07-01') TO ('2025-01-01');
            CREATE TABLE app.events_default PARTITION OF app.events DEFAULT;
            INSERT INTO app.events SELECT i, timestamptz '2023-11-01 00:00+00' + i * interval '1 day', 'kind' || i % 3,
                jsonb_build_object('i', i, 'tags', jsonb_build_array('a', i)) FROM generate_series(1, 500) i;

            -- plpgsql functions and triggers
            CREATE TABLE app.audit (id bigserial PRIMARY KEY, tbl text NOT NULL, op text NOT NULL, old_row jsonb, new_row jsonb);
            CREATE FUNCTION app.audit_trigger() RETURNS trigger LANGUAGE plpgsql AS $fn$
            BEGIN
                INSERT INTO app.audit (tbl, op, old_row, new_row)
                VALUES (TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, TG_OP,
                        CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END,
                        CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END);
                RETURN COALESCE(NEW, OLD);
            END
            $fn$;
            CREATE TRIGGER line_items_audit AFTER INSERT OR UPDATE OR DELETE ON app.line_items
                FOR EACH ROW EXECUTE FUNCTION app.audit_trigger();
            UPDATE app.line_items SET qty = qty + 1 WHERE id <= 5;
            DELETE FROM app.line_items WHERE id = 50;
            CREATE FUNCTION "données"."compter ünïcødé"(p_text text, OUT n_chars integer, OUT n_bytes integer)
                LANGUAGE plpgsql IMMUTABLE AS $fn$
            BEGIN
                n_chars := char_length(p_text);
                n_bytes := octet_length(p_text);
            END
            $fn$;
            CREATE FUNCTION app.mood_rank(m app.mood) RETURNS integer LANGUAGE sql IMMUTABLE AS
                $$ SELECT array_position(enum_range(NULL::app.mood), m) $$;

            -- views, a materialized view, row level security
            CREATE VIEW app.ticket_view AS SELECT id, contact, app.mood_rank(mood) AS rank FROM app.tickets WHERE seats > 0;
            CREATE VIEW "données"."vue ユーザー" AS SELECT "id", "名前", ("données"."compter ünïcødé"("名前")).* FROM "données"."ユーザー";
            CREATE MATERIALIZED VIEW app.events_per_kind AS SELECT kind, count(*) AS n FROM app.events GROUP BY kind;
            CREATE UNIQUE INDEX events_per_kind_kind ON app.events_per_kind (kind);
            CREATE TABLE app.secrets (id integer PRIMARY KEY, owner text NOT NULL, secret text);
            INSERT INTO app.secrets VALUES (1, 'alice', 's1'), (2, 'bob', 's2');
            ALTER TABLE app.secrets ENABLE ROW LEVEL SECURITY;
            CREATE POLICY owner_only ON app.secrets USING (owner = current_user);

            -- empty things
            CREATE TABLE app.no_columns ();
            CREATE TABLE app.no_rows (id integer);

            -- comments and grants
            COMMENT ON TABLE app.values IS 'NULL vs '''' and every byte value';
            COMMENT ON COLUMN app.values.b IS 'bytea: 0x00..0xff';
            COMMENT ON FUNCTION app.audit_trigger() IS 'writes app.audit';
            COMMENT ON TYPE app.mood IS 'an enum with a ünïcødé label';
            GRANT USAGE ON SCHEMA app, "données" TO pgvault_demo_reader;
            GRANT SELECT ON ALL TABLES IN SCHEMA app TO pgvault_demo_reader;
            GRANT SELECT ("名前") ON "données"."ユーザー" TO pgvault_demo_reader;
            GRANT USAGE ON SEQUENCE app.invoice_no TO pgvault_demo_reader;
            REVOKE ALL ON app.secrets FROM pgvault_demo_reader;

            -- large objects: small, empty, every byte value, and one of about 1 MiB of incompressible bytes
            CREATE TABLE app.documents (id integer PRIMARY KEY, name text NOT NULL, content oid NOT NULL);
            INSERT INTO app.documents VALUES
                (1, 'empty', lo_from_bytea(0, ''::bytea)),
                (2, 'hello', lo_from_bytea(0, convert_to('Hello, 世界 🌍', 'UTF8'))),
                (3, 'all bytes x 16', lo_from_bytea(0, (SELECT string_agg(set_byte('\\x00'::bytea, 0, i % 256), ''::bytea ORDER BY i) FROM generate_series(0, 4095) i))),
                (4, 'repetitive 8 KiB', lo_from_bytea(0, decode(repeat('00ff', 4096), 'hex'))),
                (5, 'random 64 KiB', lo_from_bytea(0, (SELECT string_agg(decode(md5('lo5-' || i), 'hex'), ''::bytea ORDER BY i) FROM generate_series(1, 4096) i))),
                (6, 'random 1 MiB', lo_from_bytea(0, (SELECT string_agg(decode(md5('lo6-' || i), 'hex'), ''::bytea ORDER BY i) FROM generate_series(1, 65536) i)));
            DO $$
            DECLARE
                greeting oid := (SELECT content FROM app.documents WHERE id = 2);
            BEGIN
                EXECUTE format('COMMENT ON LARGE OBJECT %s IS %L', greeting, 'a greeting in 3 scripts');
                EXECUTE format('GRANT SELECT ON LARGE OBJECT %s TO pgvault_demo_reader', greeting);
            END
            $$;

            -- a few hundred small tables, as many databases have
            DO $$
            BEGIN
                FOR i IN 1..300 LOOP
                    EXECUTE format('CREATE TABLE bulk.%I (id integer PRIMARY KEY, label text NOT NULL, created date NOT NULL)',
                                   't_' || lpad(i::text, 3, '0'));
                    EXECUTE format('INSERT INTO bulk.%I SELECT j, %L || j, date ''2024-01-01'' + j FROM generate_series(1, %s) j',
                                   't_' || lpad(i::text, 3, '0'), 'row of table ' || i || ' #', 1 + i % 5);
                END LOOP;
            END
            $$;
            COMMIT;
            """;

    private DemoSql() {
    }
}
