"""The seed curriculum: two courses built from the topics of DESIGN.md section 5.

Texts are Tirek's own short summaries, written for this system (Russian and English);
a ministry replaces or extends them in the course editor. Structure: course → modules →
lessons (Markdown-like text) with a short quiz; each course has a pre-test and a final
test with the same questions, so the difference is the knowledge gain.
"""

from __future__ import annotations

from typing import Any


def q(
    ru: str, en: str, choices: list[tuple[str, str, bool, str, str]], multiple: bool = False
) -> dict[str, Any]:
    """A question: ``choices`` are (ru, en, correct, feedback ru, feedback en)."""
    return {
        "kind": "multiple" if multiple else "single",
        "text": {"ru": ru, "en": en},
        "choices": [
            {
                "text": {"ru": c_ru, "en": c_en},
                "correct": correct,
                "feedback": {"ru": f_ru, "en": f_en},
            }
            for c_ru, c_en, correct, f_ru, f_en in choices
        ],
    }


Q_VICTIM = q(
    "Как международные стандарты рекомендуют прежде всего рассматривать ребёнка, "
    "вернувшегося из зоны вооружённого конфликта?",
    "How do international standards ask us to regard a child returned from an armed-conflict zone first of all?",
    [
        (
            "Прежде всего как жертву",
            "First of all as a victim",
            True,
            "Верно: ребёнок — прежде всего жертва, а цель всех мер — реабилитация и реинтеграция.",
            "Right: the child is a victim first, and every measure aims at rehabilitation and reintegration.",
        ),
        (
            "Прежде всего как угрозу безопасности",
            "First of all as a security threat",
            False,
            "Нет: такой взгляд ведёт к стигматизации и противоречит наилучшим интересам ребёнка.",
            "No: this view stigmatises the child and runs against the child's best interests.",
        ),
        (
            "Как взрослого участника событий",
            "As an adult participant in events",
            False,
            "Нет: возраст и зависимость от взрослых — ключевые обстоятельства; ребёнок не выбирал, где жить.",
            "No: age and dependence on adults are key; the child did not choose where to live.",
        ),
    ],
)
Q_TRAUMA = q(
    "Что из перечисленного относится к подходу, учитывающему травму?",
    "Which of these belong to a trauma-informed approach?",
    [
        (
            "Предсказуемость: объяснять ребёнку, что будет дальше",
            "Predictability: telling the child what happens next",
            True,
            "Верно: предсказуемость возвращает чувство безопасности.",
            "Right: predictability restores a sense of safety.",
        ),
        (
            "Выбор: давать ребёнку возможность выбирать там, где это возможно",
            "Choice: letting the child choose wherever possible",
            True,
            "Верно: выбор возвращает ощущение контроля, которого ребёнок был лишён.",
            "Right: choice gives back a sense of control the child was deprived of.",
        ),
        (
            "Подробные расспросы о пережитом при первой встрече",
            "Detailed questions about the experience at the first meeting",
            False,
            "Нет: это может вызвать повторную травматизацию; сначала — безопасность и доверие.",
            "No: this may re-traumatise; safety and trust come first.",
        ),
    ],
    multiple=True,
)
Q_ASSESSMENT = q(
    "Когда должна быть проведена комплексная оценка потребностей?",
    "When should the comprehensive needs assessment be done?",
    [
        (
            "В течение 30 дней после регистрации, по всем сферам",
            "Within 30 days of registration, across all domains",
            True,
            "Верно: первичная оценка — в первые 72 часа, комплексная — в течение 30 дней.",
            "Right: the initial assessment comes within 72 hours, the comprehensive one within 30 days.",
        ),
        (
            "Только если ребёнок плохо учится",
            "Only if the child does badly at school",
            False,
            "Нет: оценка охватывает все сферы — безопасность, здоровье, семью, документы и другие.",
            "No: the assessment covers every domain — safety, health, family, documents and more.",
        ),
        (
            "После закрытия случая",
            "After the case is closed",
            False,
            "Нет: оценка — основа плана, она нужна в начале работы и при каждом пересмотре.",
            "No: the assessment is the basis of the plan, needed at the start and at every review.",
        ),
    ],
)
Q_STIGMA = q(
    "Что помогает снизить риск стигматизации ребёнка в школе?",
    "What helps to reduce the risk of stigma for a child at school?",
    [
        (
            "Сообщать об истории возвращения только тем, кому это необходимо для работы",
            "Sharing the return history only with those who need it for their work",
            True,
            "Верно: принцип «необходимо знать» защищает ребёнка от ярлыков.",
            "Right: the need-to-know principle protects the child from labels.",
        ),
        (
            "Рассказать классу, откуда вернулся ребёнок, чтобы все были осторожны",
            "Telling the class where the child came back from so everyone is careful",
            False,
            "Нет: раскрытие сведений ведёт к изоляции и травле.",
            "No: disclosure leads to isolation and bullying.",
        ),
    ],
)
Q_PLAN = q(
    "Кто утверждает индивидуальный план реабилитации и реинтеграции?",
    "Who approves the individual rehabilitation and reintegration plan?",
    [
        (
            "Супервизор",
            "The supervisor",
            True,
            "Верно: план составляет кейс-менеджер с командой и семьёй, утверждает супервизор.",
            "Right: the case manager drafts it with the team and family; the supervisor approves it.",
        ),
        (
            "Любой член команды случая",
            "Any member of the case team",
            False,
            "Нет: утверждение — отдельный шаг, он обеспечивает качество плана.",
            "No: approval is a separate step that assures the plan's quality.",
        ),
    ],
)
Q_INTERVIEW = q(
    "Какие вопросы лучше всего подходят для начала свободного рассказа ребёнка?",
    "Which questions best start a child's free account?",
    [
        (
            "Открытые приглашения: «Расскажи мне о…»",
            "Open invitations: “Tell me about…”",
            True,
            "Верно: открытые вопросы дают самые точные сведения и не подсказывают ответ.",
            "Right: open questions give the most accurate information and suggest no answer.",
        ),
        (
            "Наводящие: «Он ведь тебя обижал, да?»",
            "Leading: “He hurt you, didn't he?”",
            False,
            "Нет: наводящие вопросы искажают показания и подрывают доверие.",
            "No: leading questions distort the account and undermine trust.",
        ),
        (
            "Вопросы «да/нет» подряд",
            "A series of yes/no questions",
            False,
            "Нет: закрытые вопросы уместны лишь для уточнения, а не для начала рассказа.",
            "No: closed questions are for clarifying, not for starting the account.",
        ),
    ],
)
Q_ONCE = q(
    "Почему важно опрашивать ребёнка как можно меньше раз?",
    "Why should a child be interviewed as few times as possible?",
    [
        (
            "Каждый повторный опрос рискует вызвать вторичную виктимизацию",
            "Every repeated interview risks secondary victimisation",
            True,
            "Верно: поэтому специалисты используют уже записанные сведения, а не спрашивают снова.",
            "Right: that is why professionals use what was already recorded instead of asking again.",
        ),
        (
            "Потому что у ребёнка нет права на участие",
            "Because the child has no right to participate",
            False,
            "Нет: у ребёнка есть право быть услышанным; важно — как и сколько раз.",
            "No: the child has the right to be heard; what matters is how and how often.",
        ),
    ],
)

COURSES: list[dict[str, Any]] = [
    {
        "code": "psychosocial-support",
        "competency": "trauma-informed",
        "validity_months": 36,
        "pass_mark": 70,
        "topics": [
            "legal-framework",
            "psychological-consequences",
            "trauma-informed",
            "needs-assessment",
            "trust-communication",
            "working-with-parents",
            "stigma",
            "reintegration-plans",
            "monitoring",
        ],
        "audiences": [
            "case-managers",
            "psychologists",
            "teachers",
            "social-workers",
            "religious-counsellors",
        ],
        "title": {
            "ru": "Психосоциальная поддержка, реабилитация и реинтеграция детей, вернувшихся из зон вооружённых конфликтов",
            "en": "Psychosocial support, rehabilitation and reintegration of children returned from armed-conflict zones",
        },
        "objectives": {
            "ru": "Понимать международные рамки и принципы работы; распознавать последствия "
            "пережитого; проводить оценку потребностей; выстраивать доверие с ребёнком и семьёй; "
            "противодействовать стигматизации; составлять, выполнять и оценивать индивидуальный план.",
            "en": "Understand the international framework and principles of practice; recognise the "
            "consequences of what children lived through; assess needs; build trust with the child "
            "and family; counter stigma; draft, carry out and evaluate an individual plan.",
        },
        "description": {
            "ru": "Базовый курс для кейс-менеджеров, педагогов-психологов, социальных работников "
            "и других специалистов, которые сопровождают детей и их семьи.",
            "en": "A foundation course for case managers, teacher-psychologists, social workers and "
            "other professionals who accompany children and their families.",
        },
        "pre_test": [Q_VICTIM, Q_TRAUMA, Q_ASSESSMENT, Q_STIGMA, Q_PLAN],
        "final_test": [Q_VICTIM, Q_TRAUMA, Q_ASSESSMENT, Q_STIGMA, Q_PLAN],
        "modules": [
            {
                "topic": "legal-framework",
                "title": {
                    "ru": "Международная правовая база и десять принципов",
                    "en": "The international legal framework and the ten principles",
                },
                "summary": {
                    "ru": "Ребёнок — прежде всего жертва; права ребёнка и основные принципы работы.",
                    "en": "The child is a victim first; children's rights and the core principles of practice.",
                },
                "lessons": [
                    {
                        "title": {
                            "ru": "Ребёнок прежде всего жертва",
                            "en": "The child is a victim first",
                        },
                        "body": {
                            "ru": "Дети не выбирали, куда их увезли взрослые. Конвенция о правах ребёнка "
                            "действует для каждого ребёнка без исключений, в том числе для детей, "
                            "пострадавших от террористической деятельности.\n\n"
                            "## Что это значит на практике\n"
                            "- ребёнок получает помощь как пострадавший, а не как подозреваемый;\n"
                            "- лишение свободы — только крайняя мера и на кратчайший срок;\n"
                            "- цель любого вмешательства — **реабилитация и реинтеграция**.\n\n"
                            "Национальные правила (например, правила социальной реабилитации детей "
                            "2020 года в Казахстане) переводят эти нормы в конкретные шаги и сроки.",
                            "en": "Children did not choose where adults took them. The Convention on the "
                            "Rights of the Child applies to every child without exception, including "
                            "children affected by terrorist activity.\n\n"
                            "## What this means in practice\n"
                            "- the child is helped as someone harmed, not as a suspect;\n"
                            "- deprivation of liberty is a last resort, for the shortest time;\n"
                            "- the aim of every intervention is **rehabilitation and reintegration**.\n\n"
                            "National rules (for example Kazakhstan's 2020 rules on the social "
                            "rehabilitation of children) turn these norms into concrete steps and deadlines.",
                        },
                        "quiz": [Q_VICTIM],
                    },
                    {
                        "title": {
                            "ru": "Десять принципов работы",
                            "en": "Ten principles of practice",
                        },
                        "body": {
                            "ru": "Десять принципов, которыми Tirek руководствуется в работе с каждым случаем:\n\n"
                            "1. Наилучшие интересы ребёнка — на первом месте.\n"
                            "2. Недискриминация: никаких ярлыков и исключений.\n"
                            "3. Ребёнок — прежде всего жертва.\n"
                            "4. Участие ребёнка: его мнение выслушивают и записывают.\n"
                            "5. Лишение свободы — крайняя мера.\n"
                            "6. Реабилитация и реинтеграция — цель всех мер.\n"
                            "7. Сохранение семьи, если это безопасно.\n"
                            "8. Конфиденциальность и защита сведений о личности.\n"
                            "9. Межведомственное взаимодействие: один план, много ведомств.\n"
                            "10. Индивидуальный подход с учётом возраста, пола и пережитого.",
                            "en": "Ten principles that guide Tirek's work on every case:\n\n"
                            "1. The best interests of the child come first.\n"
                            "2. Non-discrimination: no labels, no exclusion.\n"
                            "3. The child is a victim first.\n"
                            "4. Child participation: the child's views are heard and recorded.\n"
                            "5. Deprivation of liberty is a last resort.\n"
                            "6. Rehabilitation and reintegration are the aim of every measure.\n"
                            "7. Keeping the family together where it is safe.\n"
                            "8. Confidentiality and protected identity.\n"
                            "9. Multi-agency work: one plan, many agencies.\n"
                            "10. An individual approach that considers age, gender and experience.",
                        },
                    },
                ],
            },
            {
                "topic": "psychological-consequences",
                "title": {
                    "ru": "Психологические последствия жизни в зоне конфликта",
                    "en": "Psychological consequences of life in a conflict zone",
                },
                "summary": {
                    "ru": "Как пережитое насилие, потери и лишения отражаются на развитии и поведении.",
                    "en": "How violence, loss and deprivation shape development and behaviour.",
                },
                "lessons": [
                    {
                        "title": {
                            "ru": "Что пережили дети",
                            "en": "What the children lived through",
                        },
                        "body": {
                            "ru": "Многие дети пережили бомбардировки, гибель близких, голод, жизнь в "
                            "лагерях и разлуку с семьёй. Последствия различаются по возрасту:\n\n"
                            "- **малыши** — нарушения сна, регресс навыков, сильная тревога при разлуке;\n"
                            "- **дети школьного возраста** — трудности с концентрацией, страхи, вспышки гнева;\n"
                            "- **подростки** — замкнутость, недоверие к взрослым, рискованное поведение.\n\n"
                            "Это нормальные реакции на ненормальные обстоятельства, а не черты характера. "
                            "При поддержке и безопасной среде большинство детей восстанавливаются.",
                            "en": "Many children lived through bombing, the death of relatives, hunger, life in "
                            "camps and separation from family. The effects differ with age:\n\n"
                            "- **young children** — sleep problems, losing skills, intense separation anxiety;\n"
                            "- **school-age children** — poor concentration, fears, outbursts of anger;\n"
                            "- **adolescents** — withdrawal, distrust of adults, risky behaviour.\n\n"
                            "These are normal reactions to abnormal circumstances, not traits of character. "
                            "With support and a safe environment most children recover.",
                        },
                    }
                ],
            },
            {
                "topic": "trauma-informed",
                "title": {"ru": "Подход, учитывающий травму", "en": "Trauma-informed approaches"},
                "summary": {
                    "ru": "Безопасность, предсказуемость, выбор и сотрудничество в каждом контакте.",
                    "en": "Safety, predictability, choice and collaboration in every contact.",
                },
                "lessons": [
                    {
                        "title": {
                            "ru": "Пять опор подхода, учитывающего травму",
                            "en": "Five pillars of a trauma-informed approach",
                        },
                        "body": {
                            "ru": "Подход, учитывающий травму, исходит из того, что травма могла быть у "
                            "любого ребёнка, и строит каждый контакт так, чтобы не навредить.\n\n"
                            "- **Безопасность** — физическая и эмоциональная.\n"
                            "- **Предсказуемость** — объясняйте, что будет дальше, держите обещания.\n"
                            "- **Выбор** — где можно, давайте ребёнку выбрать.\n"
                            "- **Сотрудничество** — решения принимаются вместе с ребёнком и семьёй.\n"
                            "- **Сильные стороны** — опирайтесь на то, что у ребёнка получается.\n\n"
                            "Не расспрашивайте о пережитом без необходимости: это дело специалиста и "
                            "подходящего момента.",
                            "en": "A trauma-informed approach assumes that any child may have been "
                            "traumatised and shapes every contact so as to do no harm.\n\n"
                            "- **Safety** — physical and emotional.\n"
                            "- **Predictability** — explain what happens next, keep promises.\n"
                            "- **Choice** — where possible, let the child choose.\n"
                            "- **Collaboration** — decisions are made with the child and family.\n"
                            "- **Strengths** — build on what the child does well.\n\n"
                            "Do not ask about the experience without need: that is for a specialist, at "
                            "the right moment.",
                        },
                        "quiz": [Q_TRAUMA],
                    }
                ],
            },
            {
                "topic": "needs-assessment",
                "title": {"ru": "Оценка потребностей", "en": "Needs assessment"},
                "summary": {
                    "ru": "Первичная и комплексная оценка по сферам; мнение ребёнка и его сильные стороны.",
                    "en": "Initial and comprehensive assessment by domain; the child's views and strengths.",
                },
                "lessons": [
                    {
                        "title": {
                            "ru": "Сферы оценки и сроки",
                            "en": "Assessment domains and deadlines",
                        },
                        "body": {
                            "ru": "Первичная оценка (безопасность, здоровье, срочные нужды) проводится в "
                            "течение 72 часов. Комплексная оценка — в течение 30 дней — охватывает сферы:\n\n"
                            "- безопасность и защита;\n- физическое здоровье;\n"
                            "- психическое здоровье и психосоциальное благополучие;\n"
                            "- образование и развитие;\n- семья и условия ухода;\n"
                            "- правовой статус и документы;\n- социальные связи и стигматизация;\n"
                            "- базовые потребности и средства к существованию;\n"
                            "- мнение ребёнка и его сильные стороны.\n\n"
                            "Используйте только утверждённые инструменты и повторяйте скрининг через 3 и 6 месяцев.",
                            "en": "The initial assessment (safety, health, urgent needs) is done within 72 "
                            "hours. The comprehensive assessment — within 30 days — covers these domains:\n\n"
                            "- safety and protection;\n- physical health;\n"
                            "- mental health and psychosocial wellbeing;\n"
                            "- education and development;\n- family and care arrangements;\n"
                            "- legal status and documents;\n- social relations and stigma;\n"
                            "- basic needs and livelihood;\n"
                            "- the child's own views and strengths.\n\n"
                            "Use approved instruments only and repeat screening at 3 and 6 months.",
                        },
                        "quiz": [Q_ASSESSMENT],
                    }
                ],
            },
            {
                "topic": "trust-communication",
                "title": {"ru": "Доверие и общение", "en": "Trust and communication"},
                "summary": {
                    "ru": "Как начать разговор, слушать и говорить с ребёнком на понятном ему языке.",
                    "en": "How to open a conversation, listen, and speak in words the child understands.",
                },
                "lessons": [
                    {
                        "title": {"ru": "Как выстроить доверие", "en": "How to build trust"},
                        "body": {
                            "ru": "Доверие рождается из последовательности: приходите вовремя, делайте то, "
                            "что обещали, и честно говорите, чего сделать не можете.\n\n"
                            "- Представьтесь и объясните, зачем вы пришли.\n"
                            "- Говорите просто, на родном языке ребёнка, если это возможно.\n"
                            "- Слушайте больше, чем говорите; не перебивайте.\n"
                            "- Замечайте невербальные сигналы усталости или страха и делайте паузы.\n"
                            "- Объясняйте пределы конфиденциальности понятными словами.",
                            "en": "Trust comes from consistency: arrive on time, do what you promised, and "
                            "say honestly what you cannot do.\n\n"
                            "- Introduce yourself and explain why you are there.\n"
                            "- Speak simply, in the child's own language where possible.\n"
                            "- Listen more than you talk; do not interrupt.\n"
                            "- Notice non-verbal signs of tiredness or fear and take breaks.\n"
                            "- Explain the limits of confidentiality in plain words.",
                        },
                    }
                ],
            },
            {
                "topic": "working-with-parents",
                "title": {"ru": "Работа с родителями", "en": "Working with parents"},
                "summary": {
                    "ru": "Матери, родственники и опекуны — главные союзники реинтеграции.",
                    "en": "Mothers, relatives and guardians are the main allies of reintegration.",
                },
                "lessons": [
                    {
                        "title": {
                            "ru": "Семья как ресурс",
                            "en": "The family as a resource",
                        },
                        "body": {
                            "ru": "Часто дети вернулись с матерью, которая сама пережила травму, или живут "
                            "у бабушек и дедушек. Поддержка взрослых — это поддержка ребёнка.\n\n"
                            "- Выясните, кто фактически заботится о ребёнке и кто его законный представитель.\n"
                            "- Помогите взрослым понять реакции ребёнка и ответить на них спокойно.\n"
                            "- Направляйте родителей к услугам: психологической помощи, занятости, пособиям.\n"
                            "- Уважайте семью: решения о ребёнке обсуждаются с ней, а не за её спиной.",
                            "en": "Children often came back with a mother who was traumatised herself, or "
                            "live with grandparents. Supporting the adults supports the child.\n\n"
                            "- Find out who actually cares for the child and who is the legal representative.\n"
                            "- Help the adults understand the child's reactions and respond calmly.\n"
                            "- Refer parents to services: psychological help, employment, benefits.\n"
                            "- Respect the family: decisions about the child are discussed with it, not behind its back.",
                        },
                    }
                ],
            },
            {
                "topic": "stigma",
                "title": {
                    "ru": "Стигматизация и дискриминация",
                    "en": "Stigma and discrimination",
                },
                "summary": {
                    "ru": "Как защитить ребёнка от ярлыков в школе, районе и медиа.",
                    "en": "Protecting the child from labels at school, in the neighbourhood and in the media.",
                },
                "lessons": [
                    {
                        "title": {
                            "ru": "Риски стигматизации и как их снизить",
                            "en": "Risks of stigma and how to reduce them",
                        },
                        "body": {
                            "ru": "Ярлык может закрыть ребёнку дорогу в школу и к сверстникам надолго. "
                            "Стигма исходит от соседей, родителей одноклассников, иногда — от специалистов.\n\n"
                            "- Раскрывайте историю возвращения только тем, кому это необходимо для работы.\n"
                            "- Не используйте ярлыки, которые связывают ребёнка с насилием, ни устно, ни в документах.\n"
                            "- Готовьте школу: классный руководитель и психолог знают, как поддержать, "
                            "не выделяя ребёнка.\n"
                            "- Реагируйте на язык вражды и травлю сразу и последовательно.",
                            "en": "A label can close the way to school and to peers for a long time. Stigma "
                            "comes from neighbours, classmates' parents and sometimes from professionals.\n\n"
                            "- Share the return history only with those who need it for their work.\n"
                            "- Never use labels that tie the child to violence, in speech or in documents.\n"
                            "- Prepare the school: the class teacher and psychologist know how to support "
                            "without singling the child out.\n"
                            "- Respond to hate speech and bullying at once and consistently.",
                        },
                        "quiz": [Q_STIGMA],
                    }
                ],
            },
            {
                "topic": "reintegration-plans",
                "title": {
                    "ru": "Индивидуальный план реабилитации и реинтеграции",
                    "en": "The individual rehabilitation and reintegration plan",
                },
                "summary": {
                    "ru": "Этапы программы, цели и мероприятия, пересмотр плана.",
                    "en": "Programme phases, goals and interventions, plan review.",
                },
                "lessons": [
                    {
                        "title": {
                            "ru": "Как составить план",
                            "en": "How to draft the plan",
                        },
                        "body": {
                            "ru": "План составляется в течение 14 дней после оценки и утверждается "
                            "супервизором. Он один для всех ведомств.\n\n"
                            "- Каждая цель опирается на выявленную потребность и сформулирована измеримо.\n"
                            "- У каждого мероприятия есть ответственный, срок и ведомство.\n"
                            "- Ребёнок и семья участвуют в составлении плана.\n"
                            "- Этапы: реабилитация → реинтеграция → мониторинг.\n"
                            "- Пересмотр — каждые 90 дней (30 при высоком риске).",
                            "en": "The plan is drafted within 14 days of the assessment and approved by a "
                            "supervisor. There is one plan for all agencies.\n\n"
                            "- Each goal rests on an identified need and is measurable.\n"
                            "- Each intervention has a responsible person, a deadline and an agency.\n"
                            "- The child and family take part in drafting the plan.\n"
                            "- Phases: rehabilitation → reintegration → monitoring.\n"
                            "- Review every 90 days (30 for high risk).",
                        },
                        "quiz": [Q_PLAN],
                    }
                ],
            },
            {
                "topic": "monitoring",
                "title": {"ru": "Мониторинг и оценка", "en": "Monitoring and evaluation"},
                "summary": {
                    "ru": "Индикаторы, последующее наблюдение и защита данных в отчётах.",
                    "en": "Indicators, follow-up and data protection in reports.",
                },
                "lessons": [
                    {
                        "title": {
                            "ru": "Что и как измерять",
                            "en": "What to measure and how",
                        },
                        "body": {
                            "ru": "Мониторинг показывает, помогает ли работа ребёнку, а оценка — работает ли "
                            "программа в целом.\n\n"
                            "- Сравнивайте результаты скрининга при поступлении, через 3 и 6 месяцев.\n"
                            "- Отмечайте достижение целей плана при каждом пересмотре.\n"
                            "- После закрытия случая проводите наблюдение через 6 и 12 месяцев.\n"
                            "- В отчётах используйте только обобщённые данные; ячейки меньше 5 человек скрываются.",
                            "en": "Monitoring shows whether the work helps the child; evaluation shows "
                            "whether the programme works as a whole.\n\n"
                            "- Compare screening results at intake, 3 and 6 months.\n"
                            "- Record progress on plan goals at every review.\n"
                            "- After closure, follow up at 6 and 12 months.\n"
                            "- Reports use aggregates only; cells under 5 people are hidden.",
                        },
                    }
                ],
            },
        ],
    },
    {
        "code": "child-interviewing",
        "competency": "child-interviewing",
        "validity_months": 36,
        "pass_mark": 75,
        "topics": ["child-interviewing", "trust-communication", "trauma-informed"],
        "audiences": ["law-enforcement", "prosecutors", "lawyers", "psychologists"],
        "title": {
            "ru": "Опрос ребёнка с учётом его интересов",
            "en": "Child-sensitive interviewing",
        },
        "objectives": {
            "ru": "Общаться с ребёнком с учётом возраста, пола и пережитого; планировать и проводить "
            "опрос так, чтобы получить достоверные сведения и не допустить вторичной виктимизации.",
            "en": "Communicate with a child in a way that fits age, gender and experience; plan and "
            "conduct an interview that yields reliable information and prevents secondary victimisation.",
        },
        "description": {
            "ru": "Курс для интервьюеров правоохранительных органов, прокуроров, юристов и психологов. "
            "Сертификат даёт допуск к опросу ребёнка.",
            "en": "A course for law-enforcement interviewers, prosecutors, lawyers and psychologists. "
            "The certificate grants the competency to interview children.",
        },
        "pre_test": [Q_INTERVIEW, Q_ONCE, Q_TRAUMA],
        "final_test": [Q_INTERVIEW, Q_ONCE, Q_TRAUMA],
        "modules": [
            {
                "topic": "trust-communication",
                "title": {
                    "ru": "Общение с ребёнком с учётом его интересов",
                    "en": "Child-sensitive communication",
                },
                "summary": {
                    "ru": "Возраст, язык, эмоции интервьюера и барьеры общения.",
                    "en": "Age, language, the interviewer's emotions and barriers to communication.",
                },
                "lessons": [
                    {
                        "title": {
                            "ru": "Барьеры общения и эмоции интервьюера",
                            "en": "Barriers to communication and the interviewer's emotions",
                        },
                        "body": {
                            "ru": "Ребёнок чувствует напряжение взрослого. Форма, кабинет, незнакомые люди "
                            "могут напугать его ещё до первого вопроса.\n\n"
                            "- Проводите беседу в спокойном, дружелюбном помещении.\n"
                            "- Следите за своими реакциями: удивление или осуждение останавливают рассказ.\n"
                            "- Подбирайте слова по возрасту; проверяйте, что ребёнок вас понял.\n"
                            "- Разрешите ребёнку говорить «не знаю» и «не помню».",
                            "en": "A child senses an adult's tension. A uniform, an office or strangers can "
                            "frighten the child before the first question.\n\n"
                            "- Hold the conversation in a calm, friendly room.\n"
                            "- Watch your own reactions: surprise or judgement stop the account.\n"
                            "- Choose words for the child's age; check that you were understood.\n"
                            "- Allow the child to say “I don't know” and “I don't remember”.",
                        },
                    }
                ],
            },
            {
                "topic": "child-interviewing",
                "title": {
                    "ru": "Планирование и проведение опроса",
                    "en": "Planning and conducting the interview",
                },
                "summary": {
                    "ru": "Подготовка, этапы опроса, открытые вопросы, завершение.",
                    "en": "Preparation, interview stages, open questions, closing.",
                },
                "lessons": [
                    {
                        "title": {"ru": "Этапы опроса", "en": "Stages of the interview"},
                        "body": {
                            "ru": "## Подготовка\nИзучите уже собранные сведения, чтобы не спрашивать то, что "
                            "ребёнок уже рассказал. Решите, кто будет присутствовать (законный "
                            "представитель, психолог).\n\n"
                            "## Проведение\n"
                            "1. Знакомство и правила беседы.\n"
                            "2. Свободный рассказ: открытые приглашения «Расскажи мне о…».\n"
                            "3. Уточняющие вопросы — без подсказок.\n"
                            "4. Завершение: поблагодарите, объясните, что будет дальше, закончите на "
                            "нейтральной теме.\n\n"
                            "Записывайте сказанное дословно, чтобы опрос не пришлось повторять.",
                            "en": "## Preparation\nStudy what has already been recorded so you do not ask what the "
                            "child has already said. Decide who will be present (legal representative, "
                            "psychologist).\n\n"
                            "## Conducting\n"
                            "1. Introductions and ground rules.\n"
                            "2. Free account: open invitations, “Tell me about…”.\n"
                            "3. Clarifying questions — without suggestion.\n"
                            "4. Closing: thank the child, explain what happens next, end on a neutral topic.\n\n"
                            "Record what was said verbatim so the interview need not be repeated.",
                        },
                        "quiz": [Q_INTERVIEW],
                    }
                ],
            },
            {
                "topic": "trauma-informed",
                "title": {
                    "ru": "Предотвращение вторичной виктимизации",
                    "en": "Preventing secondary victimisation",
                },
                "summary": {
                    "ru": "Опрашивать однажды; поддержка до, во время и после опроса.",
                    "en": "Interview once; support before, during and after the interview.",
                },
                "lessons": [
                    {
                        "title": {"ru": "Опрашивать однажды", "en": "Interview once"},
                        "body": {
                            "ru": "Каждый новый пересказ пережитого — новая нагрузка для ребёнка. "
                            "Специалисты разных ведомств должны пользоваться уже записанными сведениями, "
                            "а не спрашивать заново.\n\n"
                            "- Согласуйте опрос с командой случая заранее.\n"
                            "- Предусмотрите психологическую поддержку после опроса.\n"
                            "- Остановите опрос, если ребёнок слишком расстроен, и вернитесь к нему позже.",
                            "en": "Every retelling is a new burden for the child. Professionals of different "
                            "agencies should use what was already recorded instead of asking again.\n\n"
                            "- Agree the interview with the case team in advance.\n"
                            "- Arrange psychological support after the interview.\n"
                            "- Stop if the child is too distressed, and come back to it later.",
                        },
                        "quiz": [Q_ONCE],
                    }
                ],
            },
        ],
    },
]
