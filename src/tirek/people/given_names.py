"""Common given names of the region with their spellings, one name per line.

Spelling rules alone cannot tell Hasan from Husein (the same consonants), Amina from
Alina or Marat from Murat (one letter apart): they are different names, and twins and
siblings are given exactly such pairs. When both names compared are on this list, the
list decides: the same line is the same name, different lines are different names.
Names not on the list are compared by the spelling rules in ``matching``.

Variants on one line: Cyrillic (Russian, Kazakh, Uzbek, Tajik), Latin and Arabic script.
"""

from __future__ import annotations

GROUPS = """
Мухаммад Мухаммед Мұхаммед Мухамед Мухамет Мұхамбет Мохаммед Магомед Muhammad Mukhammad Mohammed Mohamed Muhammed Mohammad Muhammadjon محمد
Ахмад Ахмед Ахмет Ahmad Ahmed Akhmed Akhmad Akhmet أحمد
Махмуд Махмут Mahmud Mahmood Makhmud محمود
Али Ali Aly علي
Умар Омар Umar Omar Umer عمر
Усман Осман Усмон Usman Osman Usmon Uthman عثمان
Хасан Гасан Асан Ҳасан Hasan Hassan Khasan Asan حسن
Хусейн Хусаин Гусейн Үсен Усен Ҳусейн Husayn Hussein Husain Husein Hussain Khusein Usen حسين
Юсуф Юсуп Жүсіп Жусуп Yusuf Yusup Yussuf Yousuf Yusif يوسف
Юнус Жүніс Yunus Younes Yunis يونس
Ибрагим Ибрахим Ибраһим Иброхим Ibragim Ibrahim Ibrohim Ebrahim إبراهيم
Исмаил Исмайил Исмоил Ismail Ismoil Ismayil إسماعيل
Ильяс Ілияс Ильёс Ilyas Ilias Ilyos إلياس
Идрис Idris إدريس
Иса Isa Eesa عيسى
Муса Musa Mousa موسى
Хамза Ҳамза Hamza Hamzah Khamza حمزة
Абдулла Абдуллах Abdulla Abdullah Abdallah عبدالله
Абдурахман Абдрахман Абдураҳмон Abdurakhman Abdurrahman Abdurahmon Abdurahman عبدالرحمن
Абдулазиз Abdulaziz عبدالعزيز
Билал Bilal بلال
Сулейман Сулаймон Сулайман Sulaymon Suleiman Sulayman سليمان
Давуд Довуд Дауд Dovud Dawud Daud Davud داود
Яхья Yahya يحيى
Закария Zakariya Zakaria زكريا
Карим Керим Karim Kerim كريم
Азиз Aziz عزيز
Амир Amir أمير
Амин Amin أمين
Саид Сайид Said Saeed Sayid سعيد
Рустам Rustam
Тимур Темур Temur Timur Teymur
Темирлан Темірлан Temirlan
Марат Marat
Мурат Мұрат Murat
Нурлан Нұрлан Nurlan
Нуржан Нұржан Nurzhan Nurjan
Ерлан Yerlan Erlan
Ербол Yerbol Erbol
Асет Aset
Дамир Damir
Руслан Ruslan
Джамшед Жамшид Джамшид Ҷамшед Jamshid Jamshed
Сухроб Сӯҳроб Suhrob Sohrab Sukhrob
Фарид Farid فريد
Фаридун Faridun
Айша Аиша Айше Ойша Aisha Aysha Ayesha Oysha عائشة
Фатима Фотима Патима Fatima Fotima Fatma Patima فاطمة
Марьям Мариям Марям Maryam Mariam Mariyam Maryem مريم
Мария Maria Mariya
Хадиджа Хадижа Хадича Khadija Khadizha Hadija Xadicha Khadicha خديجة
Зайнаб Зейнаб Zaynab Zainab Zeynab زينب
Сафия Сафие Safiya Safia صفية
Хафса Ҳафса Hafsa حفصة
Асма Asma Asmo أسماء
Сумайя Сумая Sumayya Sumaya سمية
Амина Омина Amina Omina آمنة
Алина Alina
Асия Осиё Asiya Asia Osiyo آسية
Мадина Медина Madina Medina مدينة
Айгерим Әйгерім Aigerim Aygerim Áıgerim
Айгуль Айгүл Aigul Aygul
Асель Әсел Asel Assel Äsel
Гульнара Гүлнара Гулнора Gulnara Gulnora
Зульфия Зулфия Zulfiya Zulfia
Карима Керима Karima Kerima كريمة
Азиза Aziza عزيزة
Самира Samira سميرة
Сабина Sabina
Дильноза Дилноза Dilnoza
Дилфуза Дильфуза Dilfuza
Екатерина Катерина Ekaterina Yekaterina Katerina
Айым Aiym Ayim
Айару Aiaru Ayaru
Жанна Zhanna Janna
Нуржамал Nurzhamal
"""
